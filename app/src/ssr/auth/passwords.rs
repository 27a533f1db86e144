//! Passwords (security.md AU-3, AU-4): argon2id hashing and verifying off the async runtime,
//! a few at a time, with a dummy hash for unknown users so that they take as long as real ones.

use std::sync::Arc;

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::RngCore;
use tokio::sync::Semaphore;

use crate::error::AppError;

/// Hashes and verifies passwords with argon2id off the async runtime, at most a few at a time.
#[derive(Clone)]
pub struct Passwords {
    params: Params,
    permits: Arc<Semaphore>,
    dummy_hash: Arc<str>,
}

impl std::fmt::Debug for Passwords {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Passwords(m={}, t={}, p={})", self.params.m_cost(), self.params.t_cost(), self.params.p_cost())
    }
}

/// The policy of AU-3 (OWASP): argon2id, m = 19456 KiB, t = 2, p = 1.
pub const POLICY_M_KIB: u32 = 19_456;
pub const POLICY_T: u32 = 2;
pub const POLICY_P: u32 = 1;

/// At most this many hashes run at once (IN-3); more wait for a permit.
const CONCURRENT_HASHES: usize = 4;

impl Passwords {
    /// The parameters the binary uses.
    pub fn production() -> Self {
        Self::with_params(Params::new(POLICY_M_KIB, POLICY_T, POLICY_P, None).expect("valid argon2 params"))
    }

    /// Cheap parameters so that test suites run quickly. Never used by the binary.
    #[doc(hidden)]
    pub fn cheap_for_tests() -> Self {
        Self::with_params(Params::new(64, 1, 1, None).expect("valid argon2 params"))
    }

    fn with_params(params: Params) -> Self {
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
        // Verified for unknown or disabled users so that they take as long as real ones (AU-4).
        let mut random = [0u8; 24];
        rand::rng().fill_bytes(&mut random);
        let dummy = argon.hash_password(&random).expect("hash dummy password").to_string();
        Self { params, permits: Arc::new(Semaphore::new(CONCURRENT_HASHES)), dummy_hash: dummy.into() }
    }

    fn argon(&self) -> Argon2<'static> {
        Argon2::new(Algorithm::Argon2id, Version::V0x13, self.params.clone())
    }

    /// Hashes a new password into a PHC string.
    pub async fn hash(&self, password: String) -> Result<String, AppError> {
        let _permit = self.permits.acquire().await.map_err(|_| AppError::internal("hash semaphore closed"))?;
        let argon = self.argon();
        tokio::task::spawn_blocking(move || argon.hash_password(password.as_bytes()).map(|h| h.to_string()))
            .await
            .map_err(|_| AppError::internal("hash task failed"))?
            .map_err(|_| AppError::internal("hash failed"))
    }

    /// Verifies a password against a stored PHC string; with `None` (unknown user) it verifies
    /// against a dummy hash and answers false, taking the same time.
    pub async fn verify(&self, password: String, stored: Option<String>) -> Result<bool, AppError> {
        let _permit = self.permits.acquire().await.map_err(|_| AppError::internal("hash semaphore closed"))?;
        let known = stored.is_some();
        let phc = stored.unwrap_or_else(|| self.dummy_hash.to_string());
        let ok = tokio::task::spawn_blocking(move || match PasswordHash::new(&phc) {
            Ok(parsed) => Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok(),
            Err(_) => false,
        })
        .await
        .map_err(|_| AppError::internal("verify task failed"))?;
        Ok(known && ok)
    }

    /// True when a stored hash is weaker than the current parameters (rehash at next login).
    pub fn needs_rehash(&self, stored: &str) -> bool {
        match phc_params(stored) {
            Some((alg, m, t, p)) => {
                alg != "argon2id" || m < self.params.m_cost() || t < self.params.t_cost() || p != self.params.p_cost()
            }
            None => true,
        }
    }
}

/// (algorithm, m, t, p) of a PHC string such as `$argon2id$v=19$m=19456,t=2,p=1$salt$hash`.
pub fn phc_params(phc: &str) -> Option<(String, u32, u32, u32)> {
    let mut parts = phc.split('$').skip(1);
    let alg = parts.next()?.to_string();
    let _version = parts.next()?;
    let mut m = None;
    let mut t = None;
    let mut p = None;
    for kv in parts.next()?.split(',') {
        let (k, v) = kv.split_once('=')?;
        let v: u32 = v.parse().ok()?;
        match k {
            "m" => m = Some(v),
            "t" => t = Some(v),
            "p" => p = Some(v),
            _ => {}
        }
    }
    Some((alg, m?, t?, p?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phc_parameters_are_read() {
        let (alg, m, t, p) = phc_params("$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaA").unwrap();
        assert_eq!((alg.as_str(), m, t, p), ("argon2id", 19456, 2, 1));
        assert!(phc_params("not a hash").is_none());
    }
}
