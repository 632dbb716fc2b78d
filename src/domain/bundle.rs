//! What a flow file carries, as one typed value: the flow and, when the user has them, its eval
//! suite, its documents and its images and audio. The file is read with one parse and written
//! with one serialisation (each extra used to re-read the whole text: four parses of a
//! 10,000-block file on import).
//!
//! The sections sit beside the flow's own fields (`"evals"`, `"knowledge"`, `"media"`), so a
//! reader that knows only flows reads the same flow. The file's `version` (see
//! [`flow_file::CURRENT_VERSION`]) versions the whole bundle.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::domain::evals::suite::EvalSuite;
use crate::domain::flow::Flow;
use crate::domain::flow_file::{self, ImportError};
use crate::domain::media::MediaItem;
use crate::domain::retrieval::knowledge::PortableKnowledge;
use crate::domain::util::base64;

/// A flow with everything that travels with it in a file.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Bundle {
    pub flow: Flow,
    /// Test cases, checks and variants; `None` when the flow has none.
    pub evals: Option<EvalSuite>,
    /// Documents for Retrieve blocks (their text: the reader chunks and indexes them again).
    pub knowledge: Option<PortableKnowledge>,
    /// The images and audio the flow's Inputs refer to.
    pub media: Vec<MediaItem>,
}

/// A file read into a bundle, and what of it was left out and why (in words for the user:
/// a damaged section never refuses the flow, but the user is told).
#[derive(Debug, Clone, PartialEq)]
pub struct ReadBundle {
    pub bundle: Bundle,
    pub left_out: Vec<String>,
}

impl Bundle {
    pub fn new(flow: Flow) -> Self {
        Bundle { flow, ..Bundle::default() }
    }

    /// The file text: the flow's fields, then each non-empty section.
    pub fn to_json(&self) -> String {
        let media: Vec<MediaFile> = self
            .media
            .iter()
            .map(|i| MediaFile {
                id: &i.meta.id,
                name: &i.meta.name,
                mime: &i.meta.mime,
                data: base64::encode(&i.data),
            })
            .collect();
        let sections = Sections {
            evals: self.evals.as_ref().filter(|s| !suite_is_empty(s)),
            knowledge: self.knowledge.as_ref().filter(|k| !k.documents.is_empty()),
            media: (!media.is_empty()).then_some(media),
        };
        flow_file::to_json_with(&self.flow, &sections)
    }

    /// Reads a flow file of any supported version. The flow must be sound (the same errors
    /// as [`flow_file::from_json`]); a damaged section is left out and named in `left_out`.
    pub fn parse(text: &str) -> Result<ReadBundle, ImportError> {
        let mut value = flow_file::parse_value(text)?;
        let (evals, knowledge, media) = match &mut value {
            Value::Object(obj) => (obj.remove("evals"), obj.remove("knowledge"), obj.remove("media")),
            _ => (None, None, None),
        };
        let flow = flow_file::from_value(value)?;
        let mut left_out = Vec::new();
        let evals = evals.and_then(|v| match serde_json::from_value::<EvalSuite>(v) {
            Ok(s) => (!suite_is_empty(&s)).then_some(s),
            Err(e) => {
                left_out.push(format!("its test cases (they could not be read: {e})"));
                None
            }
        });
        let knowledge = knowledge.and_then(|v| match serde_json::from_value::<PortableKnowledge>(v) {
            Ok(k) => (!k.documents.is_empty()).then_some(k),
            Err(e) => {
                left_out.push(format!("its documents (they could not be read: {e})"));
                None
            }
        });
        let (media, bad_media) = media.map_or((Vec::new(), 0), read_media);
        if bad_media > 0 {
            left_out.push(if bad_media == 1 {
                "1 image or audio file that did not match its id or is not media".to_string()
            } else {
                format!("{bad_media} image or audio files that did not match their ids or are not media")
            });
        }
        Ok(ReadBundle { bundle: Bundle { flow, evals, knowledge, media }, left_out })
    }
}

/// The sections a bundle adds to the flow file, each left out when empty.
#[derive(Serialize)]
struct Sections<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    evals: Option<&'a EvalSuite>,
    #[serde(skip_serializing_if = "Option::is_none")]
    knowledge: Option<&'a PortableKnowledge>,
    #[serde(skip_serializing_if = "Option::is_none")]
    media: Option<Vec<MediaFile<'a>>>,
}

/// One image or audio file: its id (from its bytes), name, type and base64 bytes.
#[derive(Serialize)]
struct MediaFile<'a> {
    id: &'a str,
    name: &'a str,
    #[serde(rename = "type")]
    mime: &'a str,
    data: String,
}

fn suite_is_empty(s: &EvalSuite) -> bool {
    s.cases.is_empty() && s.checks.is_empty() && s.variants.is_empty()
}

/// Each file is checked like a picked file; one whose bytes no longer match its id (edited by
/// hand) or that is not media is left out, so the value shows "not in this browser" rather
/// than the wrong file. Returns the good items and how many were left out.
fn read_media(value: Value) -> (Vec<MediaItem>, usize) {
    let Value::Array(files) = value else { return (Vec::new(), 1) };
    let total = files.len();
    let good: Vec<MediaItem> = files.iter().filter_map(media_item).collect();
    let bad = total - good.len();
    (good, bad)
}

fn media_item(f: &Value) -> Option<MediaItem> {
    let f: &Map<String, Value> = f.as_object()?;
    let id = f.get("id")?.as_str()?;
    let name = f.get("name")?.as_str()?;
    let bytes = base64::decode(f.get("data")?.as_str()?)?;
    let item = MediaItem::from_file(name, bytes).ok()?;
    (item.meta.id == id).then_some(item)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::evals::checks::{Check, CheckKind};
    use crate::domain::examples::starter_flow;

    fn suite() -> EvalSuite {
        EvalSuite {
            cases: crate::domain::evals::cases::parse_table("email,expected\n\"Hi, late\",sorry").expect("parses").1,
            checks: vec![Check {
                name: "Apologises".into(),
                kind: CheckKind::Contains { text: "{{expected}}".into(), case_sensitive: false },
            }],
            ..EvalSuite::default()
        }
    }

    #[test]
    fn a_bundle_round_trips_and_a_flow_reader_reads_the_same_flow() {
        let bundle = Bundle { evals: Some(suite()), ..Bundle::new(starter_flow(0)) };
        let text = bundle.to_json();
        let read = Bundle::parse(&text).expect("reads");
        assert_eq!(read.bundle, bundle);
        assert!(read.left_out.is_empty());
        assert_eq!(flow_file::from_json(&text).ok(), Some(bundle.flow.clone()));
    }

    #[test]
    fn without_extras_the_file_is_the_plain_flow_file() {
        let flow = starter_flow(0);
        let bundle = Bundle { evals: Some(EvalSuite::default()), ..Bundle::new(flow.clone()) };
        assert_eq!(bundle.to_json(), flow_file::to_json(&flow));
        assert_eq!(Bundle::parse(&flow_file::to_json(&flow)).expect("reads").bundle, Bundle::new(flow));
    }

    #[test]
    fn a_damaged_section_is_left_out_and_named_and_the_flow_still_opens() {
        let Ok(Value::Object(mut obj)) = serde_json::from_str::<Value>(&flow_file::to_json(&starter_flow(0))) else {
            panic!("a flow file is an object")
        };
        obj.insert("evals".into(), serde_json::json!(5));
        obj.insert(
            "media".into(),
            serde_json::json!([{"id": "x", "name": "a.png", "type": "image/png", "data": "AAAA"}]),
        );
        let read = Bundle::parse(&Value::Object(obj).to_string()).expect("the flow reads");
        assert_eq!(read.bundle.evals, None);
        assert!(read.bundle.media.is_empty());
        assert_eq!(read.left_out.len(), 2, "{:?}", read.left_out);
        assert!(read.left_out[0].starts_with("its test cases (they could not be read:"), "{:?}", read.left_out);
        assert_eq!(read.left_out[1], "1 image or audio file that did not match its id or is not media");
    }

    #[test]
    fn a_broken_flow_is_refused_as_before() {
        assert!(matches!(Bundle::parse("{\"evals\": 5}"), Err(ImportError::NotAFlow { .. })));
        assert!(matches!(Bundle::parse(""), Err(ImportError::Empty)));
    }
}
