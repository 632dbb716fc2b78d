//! Where a flow's named versions are kept: read by the Versions dialog and by Evaluate (which
//! names the version each eval ran on).

use crate::domain::versions::Versions;
use crate::ui::platform::storage_keys::versions as key;

/// The flow's saved versions (none when it has none, or when they cannot be read: then their
/// text is kept aside and the person is told).
pub fn load(flow_id: &str) -> Versions {
    crate::ui::state::unreadable::load(&key(flow_id), "Its list of versions starts empty here.").unwrap_or_default()
}
