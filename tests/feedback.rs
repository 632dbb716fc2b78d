//! A stakeholder's verdict: the feedback link and file round trip, stay small, refuse
//! damaged or foreign input with a clear message, and become test cases.

use chainboard::domain::conversation::Turn;
use chainboard::domain::feedback::{
    Feedback, FeedbackError, Rating, FEEDBACK_PREFIX, MAX_HISTORY_TURNS, MAX_RATINGS, MAX_TEXT_CHARS,
};
use std::collections::BTreeMap;

fn rating(good: bool, comment: &str) -> Rating {
    Rating {
        inputs: BTreeMap::from([("email".to_string(), "My parcel is late. Where is it?".to_string())]),
        answer_of: "Reply".into(),
        answer: "We are sorry: your parcel arrives on **Friday**.".into(),
        good,
        comment: comment.into(),
        sample: false,
        history: Vec::new(),
    }
}

fn verdict() -> Feedback {
    Feedback::new("Support reply", vec![rating(true, "Clear and kind"), rating(false, "Too vague \u{1f615}")])
}

#[test]
fn the_link_round_trips_and_is_short() {
    let fb = verdict();
    let fragment = fb.to_fragment();
    assert!(fragment.starts_with(FEEDBACK_PREFIX));
    assert!(fragment.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.')));
    assert!(fragment.len() < 600, "{} characters", fragment.len());
    assert_eq!(Feedback::read(&fragment).unwrap(), fb);
    // A whole URL, wrapped by a mail client, with a full stop after it.
    let url = format!("https://example.test/app/#{}", fragment);
    let (a, b) = url.split_at(40);
    assert_eq!(Feedback::read(&format!("{a}\n {b}.")).unwrap(), fb);
}

#[test]
fn the_file_round_trips() {
    let fb = verdict();
    let file = fb.to_file();
    assert!(file.contains("\"kind\": \"chainboard-feedback\""));
    assert_eq!(Feedback::read(&file).unwrap(), fb);
}

#[test]
fn long_texts_and_many_ratings_are_capped() {
    let mut r = rating(true, "");
    r.answer = "word ".repeat(10_000);
    let fb = Feedback::new("T", vec![r; MAX_RATINGS + 7]);
    assert_eq!(fb.ratings.len(), MAX_RATINGS);
    assert!(fb.ratings.iter().all(|r| r.answer.chars().count() == MAX_TEXT_CHARS + 1));
    assert!(fb.to_fragment().len() < 8_000, "{}", fb.to_fragment().len());
    // A hand-made file over the caps is held to them too.
    let mut big = fb.clone();
    big.ratings[0].comment = "x".repeat(5_000);
    let read = Feedback::read(&serde_json::to_string(&big).unwrap()).unwrap();
    assert_eq!(read.ratings[0].comment.chars().count(), MAX_TEXT_CHARS + 1);
}

#[test]
fn malformed_input_gets_a_clear_message() {
    let fragment = verdict().to_fragment();
    let cut = &fragment[..fragment.len() - 12];
    assert_eq!(Feedback::read(cut), Err(FeedbackError::Damaged));
    assert_eq!(Feedback::read("fb1.@@@"), Err(FeedbackError::Damaged));
    assert_eq!(Feedback::read("fb1."), Err(FeedbackError::Damaged));
    assert_eq!(Feedback::read(""), Err(FeedbackError::NotFeedback));
    assert_eq!(Feedback::read("https://example.test/#v1.abc"), Err(FeedbackError::NotFeedback));
    assert_eq!(Feedback::read("{\"flow\": {}}"), Err(FeedbackError::NotFeedback));
    assert_eq!(Feedback::read("{oops"), Err(FeedbackError::Damaged));
    assert_eq!(Feedback::read("fb2.AAAA"), Err(FeedbackError::NewerVersion));
    assert_eq!(
        Feedback::read("{\"kind\":\"chainboard-feedback\",\"v\":3,\"ratings\":[]}"),
        Err(FeedbackError::NewerVersion)
    );
    assert_eq!(Feedback::read("{\"kind\":\"chainboard-feedback\",\"v\":1,\"ratings\":[]}"), Err(FeedbackError::Empty));
    // A zip bomb: a few KB that inflate past the limit.
    let bomb = vec![b' '; 2 * 1024 * 1024];
    let mut link = String::from("fb1.");
    let packed = miniz_oxide::deflate::compress_to_vec_zlib(&bomb, 9);
    link.push_str(&b64(&packed));
    assert_eq!(Feedback::read(&link), Err(FeedbackError::TooLarge));
    for e in [FeedbackError::Damaged, FeedbackError::NotFeedback, FeedbackError::TooLarge, FeedbackError::Empty] {
        let m = e.to_string();
        assert!(m.ends_with('.') && !m.contains("base64") && !m.contains("zlib"), "{m}");
    }
}

#[test]
fn ratings_become_test_cases_with_expected_judgements() {
    let mut sample = rating(true, "");
    sample.sample = true;
    let fb = Feedback::new("Support reply", vec![rating(true, "Clear and kind"), rating(false, "Too vague"), sample]);
    let cases = fb.to_cases();
    assert_eq!(cases.len(), 3);
    assert_eq!(cases[0].inputs.get("email").map(String::as_str), Some("My parcel is late. Where is it?"));
    assert_eq!(cases[0].expected.as_deref(), Some("We are sorry: your parcel arrives on **Friday**."));
    assert_eq!(cases[0].note, "Stakeholder: good (Reply) \u{2014} Clear and kind");
    assert_eq!(cases[1].expected, None);
    assert!(cases[1]
        .note
        .starts_with("Stakeholder: bad (Reply) \u{2014} Too vague | Answer they disliked: We are sorry"));
    // A sample answer is no reference for a model.
    assert_eq!(cases[2].expected, None);
    assert!(cases[2].note.contains("sample answer"), "{}", cases[2].note);
}

#[test]
fn a_rated_chat_answer_becomes_a_case_that_replays_its_earlier_turns() {
    let mut chat = rating(false, "Forgot my order number");
    chat.inputs = BTreeMap::from([("message".to_string(), "So when does it arrive?".to_string())]);
    chat.history = vec![
        Turn::new("My parcel is late.", "Sorry! What is the order number?"),
        Turn::new("It is A123.", "Thanks, A123 left today."),
    ];
    let fb = Feedback::new("Shop bot", vec![chat.clone()]);
    // Through the link and back, the turns are intact.
    let read = Feedback::read(&fb.to_fragment()).unwrap();
    assert_eq!(read.ratings[0].history, chat.history);
    let case = &read.to_cases()[0];
    assert_eq!(case.history, chat.history);
    assert_eq!(case.inputs.get("message").map(String::as_str), Some("So when does it arrive?"));
    assert!(
        case.note
            .starts_with("Stakeholder: bad (Reply) in a chat, after 2 earlier turns \u{2014} Forgot my order number"),
        "{}",
        case.note
    );

    // Feedback from before chats (no "history") still reads, as a case without turns.
    let old = r#"{"kind":"chainboard-feedback","v":1,"flow":"T","ratings":[{"inputs":{"email":"hi"},"answer":"a","good":true}]}"#;
    assert!(Feedback::read(old).unwrap().to_cases()[0].history.is_empty());

    // A long chat keeps its latest turns, each cut like any text.
    chat.history = (0..30).map(|i| Turn::new(format!("q{i} {}", "x".repeat(3_000)), format!("a{i}"))).collect();
    let capped = Feedback::new("Shop bot", vec![chat]);
    let kept = &capped.ratings[0].history;
    assert_eq!(kept.len(), MAX_HISTORY_TURNS);
    assert!(kept[0].user.starts_with(&format!("q{} ", 30 - MAX_HISTORY_TURNS)));
    assert!(kept.iter().all(|t| t.user.chars().count() == MAX_TEXT_CHARS + 1));
}

#[test]
fn feedback_never_carries_a_key() {
    // Only what the viewer typed and saw travels: the struct has no place for a key, and
    // the link is exactly the JSON of the ratings.
    let json = serde_json::to_value(verdict()).unwrap();
    let keys: Vec<&str> = json.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["flow", "kind", "ratings", "v"]);
}

fn b64(bytes: &[u8]) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(char::from(A[(n >> (18 - 6 * i) & 63) as usize]));
        }
    }
    out
}
