//! The guideline sources the rules cite, by their key in domain/docs/net-rules.md (References).

pub(super) const ESMO_GEP: &str = "ESMO-GEP-20 (Pavel, Ann Oncol 2020)";
pub(super) const ESMO_LUNG: &str = "ESMO-LUNG-21 (Baudin, Ann Oncol 2021)";
pub(super) const ENETS_NF_PNET: &str = "ENETS-NF-pNET-23 (Kos-Kudła, J Neuroendocrinol 2023)";
pub(super) const ENETS_F_PNET: &str = "ENETS-F-pNET-23 (Hofland, J Neuroendocrinol 2023)";
pub(super) const ENETS_ANET: &str = "ENETS-aNET-23 (Kaltsas, J Neuroendocrinol 2023)";
pub(super) const ENETS_CRC: &str = "ENETS-CRC-23 (Rinke, J Neuroendocrinol 2023)";
pub(super) const ENETS_GD: &str = "ENETS-GD-23 (Panzuto, J Neuroendocrinol 2023)";
pub(super) const ENETS_NEC: &str = "ENETS-NEC-23 (Sorbye, J Neuroendocrinol 2023)";
pub(super) const ENETS_SI: &str = "ENETS-SI-24 (Lamarca, J Neuroendocrinol 2024)";
pub(super) const ENETS_CS: &str = "ENETS-CS-22 (Grozinsky-Glasberg, J Neuroendocrinol 2022)";
pub(super) const ENETS_MET: &str = "ENETS-MET-16 (Pavel, Neuroendocrinology 2016)";
pub(super) const NCCN: &str = "NCCN-NAT (Neuroendocrine and Adrenal Tumors 2024-25)";
pub(super) const ESGE: &str = "ESGE-22 (Deprez, Endoscopy 2022)";
pub(super) const THAKKER: &str = "Thakker 2012 MEN1 guideline (J Clin Endocrinol Metab)";
pub(super) const SEED: &str = "Tumorboard seed principle: local → regional → systemic";
