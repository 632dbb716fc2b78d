//! Every shape Chainboard keeps in the browser is versioned, and loading one never silently
//! becomes an empty default. For each stored type: a record as written before versions existed
//! (literal JSON of today's shape, no "v") loads exactly as it did; the current form carries its
//! version and round-trips; a record from a newer Chainboard, damaged JSON and a wrong shape are
//! refused with a sentence that says so.

use chainboard::domain::engine::RunCache;
use chainboard::domain::evals::batch::PendingBatch;
use chainboard::domain::evals::suite::{EvalRecords, EvalSuite};
use chainboard::domain::media::MediaRef;
use chainboard::domain::preferences::{ApprovedHosts, Limits, StoredPrefs};
use chainboard::domain::recording::Recording;
use chainboard::domain::stored::{from_stored, to_stored, Stored, StoredError};
use chainboard::domain::versions::Versions;
use chainboard::domain::workspace::{ViewState, Workspace};
use std::fmt::Debug;

const WORKSPACE: &str =
    r#"{"flows":[{"id":"f1a2","title":"Support triage","updated_ms":1764000000000}],"current":"f1a2"}"#;
const VIEW: &str = r#"{"x":-120.5,"y":40.0,"zoom":0.8,"selection":["b2"]}"#;
const VERSIONS: &str = r#"{"list":[{"name":"Before the demo","saved_ms":1764000000000,"flow":"{\"format\":\"chainboard.flow\",\"version\":3}"}]}"#;
const SUITE: &str = r#"{"cases":[{"inputs":{"email":"Where is my parcel?"},"expected":"refund"},{"inputs":{"email":"Thanks!"},"note":"polite","held_out":true}],"checks":[{"name":"Mentions refund","kind":{"type":"contains","text":"refund","case_sensitive":false}}],"variants":[{"name":"Smaller model","block":null,"provider":null,"model":"gpt-4o-mini","temperature":0.2,"user":null,"system":null}],"repetitions":3,"concurrency":4,"target":null}"#;
const RECORDS: &str = r#"{"list":[{"ran_ms":1764000000000,"version":"the current flow (no saved version)","variants":["As it is"],"checks":["Mentions refund"],"inputs":["email"],"cases":[{"inputs":{"email":"Where is my parcel?"}}],"repetitions":1,"results":[{"variant":0,"case":0,"rep":0,"output":"We will refund you.","error":null,"checks":[{"outcome":"pass","reason":""}],"latency_ms":812.0,"input_tokens":20,"output_tokens":8,"cost_usd":0.0001}],"stopped":null}]}"#;
const RECORDING: &str = r#"{"recorded_ms":1764000000000,"blocks":[{"id":"b1","status":"done","input":"hi","output":"hello","error":null}]}"#;
const BATCH: &str = r#"{"provider":"openai","batch_id":"batch_1","sent_ms":1764000000000,"ids":[["req-0",[0,0,0]]],"flow":"{}","suite":{"cases":[],"checks":[],"variants":[],"repetitions":1,"concurrency":4,"target":null},"target":"b3","last_status":"in_progress"}"#;
const CACHE: &str = r#"{"entries":{"k1":{"output":"hello","input_tokens":3,"seq":1}},"next_seq":2}"#;
const MEDIA: &str = r#"{"id":"m1","name":"photo.png","mime":"image/png","size":1234}"#;
const PREFS: &str = r#"{"openai":{"base_url":"","default_model":"gpt-4o-mini","models":["gpt-4o-mini","gpt-4.1"]}}"#;
const LIMITS: &str = r#"{"budget_usd":1.0,"timeout_s":120.0,"redact_personal_data":true}"#;
const HOSTS: &str = r#"{"f1a2":["api.example.com","example.org"]}"#;

/// The same record with `"v": version` added, as a later Chainboard would write it.
fn with_version(text: &str, version: u64) -> String {
    let mut v: serde_json::Value = serde_json::from_str(text).unwrap();
    v.as_object_mut().unwrap().insert("v".into(), version.into());
    v.to_string()
}

/// Every property the issue asks of a stored type, checked on `old` (today's shape).
fn check<T: Stored + PartialEq + Debug>(old: &str) -> T {
    // Written before versions: version 0, loads as today's plain decoding did.
    let today: T = serde_json::from_str(old).expect("today's decoding reads the literal");
    let loaded: T = from_stored(old).unwrap_or_else(|e| panic!("{}: old record refused: {e}", T::WHAT));
    assert_eq!(loaded, today, "{}", T::WHAT);
    // Version 0 said out loud is the same.
    assert_eq!(from_stored::<T>(&with_version(old, 0)).as_ref(), Ok(&today), "{}", T::WHAT);
    // The current form carries the version and round-trips.
    let stored = to_stored(&loaded);
    assert!(stored.contains(&format!("\"v\":{}", T::CURRENT_VERSION)), "{}: {stored}", T::WHAT);
    assert_eq!(from_stored::<T>(&stored).as_ref(), Ok(&today), "{}", T::WHAT);
    // A newer Chainboard's record is refused, with the versions named.
    let newer = from_stored::<T>(&with_version(old, T::CURRENT_VERSION + 1)).unwrap_err();
    assert_eq!(newer, StoredError::Newer { found: T::CURRENT_VERSION + 1, supported: T::CURRENT_VERSION });
    let m = newer.to_string();
    assert!(m.contains("saved by a newer Chainboard") && m.contains("this app reads up to version"), "{m}");
    // Damaged JSON (cut off half way) is named as such.
    let cut = &old[..old.len() / 2];
    let broken = from_stored::<T>(cut).unwrap_err();
    assert!(matches!(broken, StoredError::NotJson { .. }), "{}: {broken:?}", T::WHAT);
    assert!(broken.to_string().contains("not valid JSON"), "{broken}");
    // Nothing else becomes a default silently.
    for bad in ["", "garbage", "null", "[]", "42", "\"text\"", r#"{"v":"one"}"#, r#"{"v":1.5}"#] {
        assert!(from_stored::<T>(bad).is_err(), "{}: {bad:?} loaded", T::WHAT);
    }
    today
}

/// A wrong shape names where: `path` is in the message.
fn wrong_shape<T: Stored + Debug>(text: &str, path: &str) {
    let e = from_stored::<T>(text).unwrap_err();
    assert!(matches!(e, StoredError::WrongShape { .. }), "{e:?}");
    assert!(e.to_string().contains(&format!("at {path}")), "{e}");
}

#[test]
fn the_workspace() {
    let ws: Workspace = check(WORKSPACE);
    assert_eq!(ws.current.as_deref(), Some("f1a2"));
    assert_eq!(Workspace::parse(WORKSPACE), Ok(ws.clone()));
    assert_eq!(Workspace::parse(&ws.to_json()), Ok(ws));
    wrong_shape::<Workspace>(r#"{"flows":[{"id":"a","title":"A","updated_ms":"yesterday"}]}"#, "flows[0].updated_ms");
    assert!(Workspace::parse(r#"{"flows": [{"id": "a""#).is_err(), "a damaged list is an error, not an empty one");
}

#[test]
fn the_view_state() {
    let view: ViewState = check(VIEW);
    assert_eq!(view.selection, ["b2"]);
    wrong_shape::<ViewState>(r#"{"x":0,"y":0,"zoom":"big","selection":[]}"#, "zoom");
}

#[test]
fn the_versions_of_a_flow() {
    let v: Versions = check(VERSIONS);
    assert_eq!(v.list[0].name, "Before the demo");
    assert!(Versions::parse(&with_version(VERSIONS, 2)).unwrap_err().to_string().contains("version 2"));
}

#[test]
fn the_eval_suite() {
    let suite: EvalSuite = check(SUITE);
    assert_eq!(suite.cases.len(), 2);
    assert!(suite.cases[1].held_out);
    assert_eq!(EvalSuite::parse(&suite.to_json()), Ok(suite));
    // Fields that today's shape lets out still default, as before (that is the shape, not a
    // damaged record): an old suite with only repetitions keeps the rest.
    assert_eq!(EvalSuite::parse(r#"{"repetitions":5}"#).map(|s| (s.repetitions, s.concurrency)), Ok((5, 4)));
    wrong_shape::<EvalSuite>(r#"{"cases":[{"inputs":{"email":3}}]}"#, "cases[0].inputs.email");
    let future = EvalSuite::parse(r#"{"v":99,"cases":"a new shape"}"#).unwrap_err();
    assert_eq!(future.to_string(), "it was saved by a newer Chainboard (version 99; this app reads up to version 1)");
}

#[test]
fn the_eval_runs() {
    let records: EvalRecords = check(RECORDS);
    assert_eq!(records.list[0].results[0].output.as_deref(), Some("We will refund you."));
    assert_eq!(EvalRecords::parse(&records.to_json()), Ok(records));
    wrong_shape::<EvalRecords>(r#"{"list":[{"ran_ms":1}]}"#, "list[0]");
}

#[test]
fn the_recording() {
    let rec: Recording = check(RECORDING);
    assert_eq!(rec.get("b1").map(|b| b.output.as_str()), Some("hello"));
    assert_eq!(Recording::parse(&rec.to_json()), Ok(rec));
}

#[test]
fn the_pending_batch() {
    let batch: PendingBatch = check(BATCH);
    assert_eq!(batch.ids[0].1, (0, 0, 0));
}

#[test]
fn the_run_cache() {
    let cache: RunCache = check(CACHE);
    assert_eq!(cache, serde_json::from_str(CACHE).unwrap());
}

#[test]
fn a_media_description() {
    let media: MediaRef = check(MEDIA);
    assert_eq!(media.size, 1234);
}

#[test]
fn the_settings() {
    let prefs: StoredPrefs = check(PREFS);
    assert_eq!(prefs.0["openai"].models.len(), 2);
    let limits: Limits = check(LIMITS);
    assert!(limits.redact_personal_data);
    wrong_shape::<Limits>(r#"{"budget_usd":"lots","timeout_s":1}"#, "budget_usd");
    let hosts: ApprovedHosts = check(HOSTS);
    assert!(hosts.0["f1a2"].contains("example.org"));
}

#[test]
fn every_stored_shape_says_what_it_is() {
    let whats = [
        Workspace::WHAT,
        ViewState::WHAT,
        Versions::WHAT,
        EvalSuite::WHAT,
        EvalRecords::WHAT,
        Recording::WHAT,
        PendingBatch::WHAT,
        RunCache::WHAT,
        MediaRef::WHAT,
        StoredPrefs::WHAT,
        Limits::WHAT,
        ApprovedHosts::WHAT,
    ];
    assert!(whats.iter().all(|w| !w.is_empty()));
}
