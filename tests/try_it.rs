//! The "try it" app of a shared link: its form, its answers, the flow a viewer's run uses.

use chainboard::domain::blocks::{BlockConfig, InputConfig, InputValue};
use chainboard::domain::examples::starter_flow;
use chainboard::domain::flow::{Block, BlockId, Point};
use chainboard::domain::media::{MediaKind, MediaRef};
use chainboard::domain::providers::ProviderKind;
use chainboard::domain::try_it::{
    answer_blocks, browser_models, chat_form, form_fields, inputs_by_name, instead_of, providers_missing_keys,
    shows_sample, start_step, with_viewer_inputs, ViewerValue,
};
use std::collections::BTreeMap;

fn prompt_providers(flow: &chainboard::domain::flow::Flow) -> Vec<String> {
    flow.blocks
        .iter()
        .filter_map(|b| match &b.config {
            BlockConfig::Prompt(p) => Some(p.provider.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn the_starter_flow_makes_a_one_field_form_and_one_answer() {
    let flow = starter_flow(0);
    let fields = form_fields(&flow);
    assert_eq!(fields.len(), 1);
    assert_eq!(fields[0].label, "Customer email");
    assert_eq!(fields[0].name, "email");
    assert!(!fields[0].default.is_empty());
    assert_eq!(fields[0].media, None);
    let answers = answer_blocks(&flow);
    assert_eq!(answers.len(), 1);
    assert_eq!(answers[0].1, "Reply");
}

#[test]
fn several_values_are_labelled_by_name_and_files_are_pickers() {
    let mut flow = starter_flow(0);
    let photo = MediaRef { id: "m1".into(), name: "receipt.png".into(), mime: "image/png".into(), size: 10 };
    flow.blocks.push(Block::new(
        BlockId::new("input-2"),
        "Extra",
        Point::new(0.0, 0.0),
        BlockConfig::Input(InputConfig {
            values: vec![
                InputValue { name: "tone".into(), value: "friendly".into(), media: None },
                InputValue::with_media("photo", photo.clone()),
            ],
        }),
    ));
    let fields = form_fields(&flow);
    assert_eq!(fields.len(), 3);
    let photo_field = fields.iter().find(|f| f.name == "photo").unwrap();
    assert_eq!(photo_field.media, Some(MediaKind::Image));
    assert_eq!(photo_field.default, "", "a media token is never shown as text");
    assert_eq!(fields.iter().find(|f| f.name == "tone").unwrap().label, "tone");

    let mut values = BTreeMap::new();
    values.insert((BlockId::new("input-1"), 0), ViewerValue::Text("Where is my order?".into()));
    values.insert((BlockId::new("input-2"), 1), ViewerValue::File(MediaRef { id: "m2".into(), ..photo }));
    let run = with_viewer_inputs(&flow, &values);
    let by_name = inputs_by_name(&run);
    assert_eq!(by_name["email"], "Where is my order?");
    assert_eq!(by_name["tone"], "friendly", "untouched fields keep the flow's value");
    assert_eq!(by_name["photo"], "[receipt.png]");
    // The shared flow itself is unchanged.
    assert_ne!(inputs_by_name(&flow)["email"], "Where is my order?");
}

#[test]
fn a_flow_without_output_blocks_shows_its_last_blocks() {
    let mut flow = starter_flow(0);
    let output = flow.blocks.iter().find(|b| matches!(b.config, BlockConfig::Output(_))).unwrap().id.clone();
    flow.blocks.retain(|b| b.id != output);
    flow.edges.retain(|e| e.to.block != output);
    let answers = answer_blocks(&flow);
    assert_eq!(answers.len(), 1);
    assert!(matches!(flow.block(&answers[0].0).unwrap().config, BlockConfig::Prompt(_)));
}

#[test]
fn viewers_without_keys_run_on_sample_answers_or_a_browser_model() {
    let flow = starter_flow(0);
    let first = prompt_providers(&flow)[0].clone();
    let kind = ProviderKind::from_id(&first).unwrap();
    let missing = providers_missing_keys(&flow, |_| false);
    assert_eq!(missing, if kind.needs_key() { vec![kind] } else { vec![] });
    assert!(providers_missing_keys(&flow, |_| true).is_empty());

    let mut on_openai = flow.clone();
    for b in &mut on_openai.blocks {
        if let BlockConfig::Prompt(p) = &mut b.config {
            p.provider = "openai".into();
        }
    }
    let missing = providers_missing_keys(&on_openai, |_| false);
    assert_eq!(missing, vec![ProviderKind::OpenAi]);
    let sample = instead_of(&on_openai, &missing, ProviderKind::Demo);
    assert!(prompt_providers(&sample).iter().all(|p| p == "demo"));
    assert!(browser_models(&sample).is_empty());
    let local = instead_of(&on_openai, &missing, ProviderKind::Browser);
    let models = browser_models(&local);
    assert_eq!(models.len(), 1);
    assert!(models[0].1.is_some_and(|mb| mb > 50), "the download size is known: {models:?}");
}

#[test]
fn present_starts_at_the_chosen_step() {
    let steps = vec![BlockId::new("a"), BlockId::new("b"), BlockId::new("c")];
    assert_eq!(start_step(&steps, Some(&BlockId::new("c"))), 2);
    assert_eq!(start_step(&steps, Some(&BlockId::new("gone"))), 0);
    assert_eq!(start_step(&steps, None), 0);
}

#[test]
fn models_that_embed_in_the_browser_count_as_downloads_too() {
    use chainboard::domain::blocks::RetrieveConfig;
    use chainboard::domain::retrieval::search::RetrieveMode;
    let mut flow = starter_flow(0);
    let embed = |mode| RetrieveConfig {
        mode,
        embed_provider: "browser".into(),
        embed_model: "http://127.0.0.1/embed.gguf".into(),
        ..RetrieveConfig::default()
    };
    flow.blocks.push(Block::new(
        BlockId::new("find"),
        "Find",
        Point::new(0.0, 0.0),
        BlockConfig::Retrieve(embed(RetrieveMode::Keyword)),
    ));
    assert!(browser_models(&flow).is_empty(), "keyword search embeds nothing");
    if let Some(BlockConfig::Retrieve(r)) = flow.blocks.last_mut().map(|b| &mut b.config) {
        *r = embed(RetrieveMode::Hybrid);
    }
    assert_eq!(browser_models(&flow), vec![("http://127.0.0.1/embed.gguf".to_string(), None)]);
}

#[test]
fn shared_outputs_know_they_are_samples() {
    let flow = chainboard::domain::templates::with_provider(chainboard::domain::examples::starter_flow(0), "demo", "");
    assert!(shows_sample(&flow, &BlockId::new("prompt-1")));
    assert!(shows_sample(&flow, &BlockId::new("output-1")));
    assert!(!shows_sample(&flow, &BlockId::new("input-1")));
    let real = chainboard::domain::examples::starter_flow(0);
    assert!(!shows_sample(&real, &BlockId::new("output-1")));
}

#[test]
fn a_flow_whose_prompt_remembers_is_tried_as_a_chat_and_others_with_the_form() {
    let chatbot = chainboard::domain::templates::TEMPLATES.iter().find(|t| t.id == "chatbot-memory").unwrap();
    let mut flow = (chatbot.build)(0);
    let (input, others) = chat_form(&flow).expect("the chatbot template is tried as a chat");
    assert_eq!((input.block.0.as_str(), input.port.as_str()), ("input-1", "message"));
    assert!(others.is_empty(), "the message is the only field: {others:?}");

    // Another Input value stays a field beside the chat; the message is not one of them.
    flow.blocks.push(Block::new(
        BlockId::new("input-2"),
        "Shopper",
        Point::new(0.0, 0.0),
        BlockConfig::Input(InputConfig {
            values: vec![InputValue { name: "name".into(), value: "Ana".into(), media: None }],
        }),
    ));
    let (_, others) = chat_form(&flow).unwrap();
    assert_eq!(others.iter().map(|f| f.name.as_str()).collect::<Vec<_>>(), ["name"]);

    // The starter flow's Prompt does not remember: the form, as before.
    assert!(chat_form(&starter_flow(0)).is_none());
    // Without an Output block there is nothing to show as the answer: the form.
    flow.blocks.retain(|b| !matches!(b.config, BlockConfig::Output(_)));
    assert!(chat_form(&flow).is_none());
}
