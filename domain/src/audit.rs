//! The audit trail's rows and filters as data (the trail itself lives in `ssr::audit`).

use serde::{Deserialize, Serialize};

/// A stored audit row, as `GET /api/v1/audit` returns it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditRow {
    pub seq: i64,
    pub at: String,
    pub user_id: Option<String>,
    pub username: Option<String>,
    pub role: Option<String>,
    pub action: String,
    pub case_id: Option<String>,
    pub target: Option<String>,
    pub outcome: String,
    pub detail: Option<String>,
    pub client_addr: Option<String>,
    pub prev_hash: String,
    pub hash: String,
    /// Every case a read returned when it returned several (lists, searches, agendas), so that
    /// "who saw patient X" finds them too. Empty for rows about one case or none.
    #[serde(default)]
    pub case_ids: Vec<String>,
    /// Written under a break-glass access (AC-3): a reviewer looks at every such row.
    #[serde(default)]
    pub break_glass: bool,
}

/// Filters for reading the trail. Times are the stored UTC text; bounds are inclusive.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema, utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct AuditQuery {
    pub case_id: Option<String>,
    pub user_id: Option<String>,
    /// The login name the row was written under (exact).
    #[serde(default)]
    pub username: Option<String>,
    /// An action (`case.view`) or a family of actions (`case` finds `case.view`, `case.update` …;
    /// not `cases.x`), compared without regard to letter case; no wildcards.
    #[serde(default)]
    pub action: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    /// Only rows with a smaller seq (for paging backwards).
    pub before_seq: Option<i64>,
    pub limit: Option<i64>,
    /// Only rows written under break-glass.
    #[serde(default)]
    pub break_glass_only: bool,
}

/// What walking the whole hash chain found (`GET /api/v1/audit/verify`, the audit viewer).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChainStatus {
    pub intact: bool,
    /// Rows found intact: all of them, or those walked before the first bad row.
    pub rows: i64,
    /// The first bad row and why, when broken.
    pub first_bad_seq: Option<i64>,
    pub reason: Option<String>,
}
