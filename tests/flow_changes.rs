//! Every FlowChange and its inverse, plus the undo property over random edit sequences.

use chainboard::domain::blocks::{BlockConfig, BlockKind, NoteConfig};
use chainboard::domain::change::{apply, ChangeError, FlowChange, History};
use chainboard::domain::examples::starter_flow;
use chainboard::domain::flow::{Block, BlockId, Edge, EdgeId, Flow, Point, PortRef};
use proptest::prelude::*;

fn id(s: &str) -> BlockId {
    BlockId::new(s)
}

fn note_block(name: &str) -> Block {
    Block::new(id(name), name, Point::new(1.0, 2.0), BlockConfig::Note(NoteConfig { text: "hi".into() }))
}

/// Applies a change, checks it did something, then checks its inverse restores the flow.
fn check_round_trip(change: FlowChange, expect_changed: bool) {
    let original = starter_flow(1_000);
    let mut flow = original.clone();
    let inverse = apply(&mut flow, change).expect("change applies");
    assert_eq!(flow != original, expect_changed, "did the change alter the flow?");
    let redo = apply(&mut flow, inverse).expect("inverse applies");
    assert_eq!(flow, original, "inverse restores the original");
    let mut again = original.clone();
    let _ = apply(&mut again, redo).expect("redo applies");
    assert_ne!(again, original);
}

#[test]
fn every_change_has_an_exact_inverse() {
    let cases = vec![
        FlowChange::AddBlock { index: 1, block: note_block("n-1") },
        FlowChange::AddBlock { index: 99, block: note_block("n-2") },
        FlowChange::RemoveBlock { id: id("prompt-1") },
        FlowChange::RemoveBlock { id: id("output-1") },
        FlowChange::MoveBlock { id: id("input-1"), to: Point::new(-5.0, 7.5) },
        FlowChange::SetTitle { id: id("prompt-1"), title: "Renamed".into() },
        FlowChange::SetNote { id: id("prompt-1"), note: Some("why this exists".into()) },
        FlowChange::SetConfig { id: id("prompt-1"), config: BlockKind::Prompt.default_config() },
        FlowChange::AddEdge {
            index: 0,
            edge: Edge {
                id: EdgeId::new("e-9"),
                from: PortRef::new(id("input-1"), "email"),
                to: PortRef::new(id("output-1"), "value"),
            },
        },
        FlowChange::RemoveEdge { id: EdgeId::new("e-1") },
        FlowChange::SetFlowTitle { title: "New title".into() },
        FlowChange::SetFlowDescription { description: "New description".into() },
        FlowChange::Batch(vec![
            FlowChange::MoveBlock { id: id("input-1"), to: Point::new(0.0, 0.0) },
            FlowChange::RemoveBlock { id: id("prompt-1") },
            FlowChange::SetTitle { id: id("output-1"), title: "Done".into() },
        ]),
    ];
    for c in cases {
        check_round_trip(c, true);
    }
}

#[test]
fn removing_a_block_removes_its_edges_and_undo_restores_their_order() {
    let mut flow = starter_flow(0);
    let inverse = apply(&mut flow, FlowChange::RemoveBlock { id: id("prompt-1") }).unwrap();
    assert_eq!(flow.blocks.len(), 2);
    assert!(flow.edges.is_empty(), "both edges touched the prompt");
    apply(&mut flow, inverse).unwrap();
    assert_eq!(flow, starter_flow(0));
}

#[test]
fn invalid_changes_are_refused_and_change_nothing() {
    let original = starter_flow(0);
    let bad = vec![
        (FlowChange::RemoveBlock { id: id("nope") }, ChangeError::NoSuchBlock(id("nope"))),
        (FlowChange::AddBlock { index: 0, block: note_block("input-1") }, ChangeError::DuplicateBlock(id("input-1"))),
        (FlowChange::RemoveEdge { id: EdgeId::new("zz") }, ChangeError::NoSuchEdge(EdgeId::new("zz"))),
        (
            FlowChange::AddEdge {
                index: 0,
                edge: Edge {
                    id: EdgeId::new("e-1"),
                    from: PortRef::new(id("input-1"), "email"),
                    to: PortRef::new(id("output-1"), "value"),
                },
            },
            ChangeError::DuplicateEdge(EdgeId::new("e-1")),
        ),
        (
            FlowChange::AddEdge {
                index: 0,
                edge: Edge {
                    id: EdgeId::new("e-7"),
                    from: PortRef::new(id("ghost"), "x"),
                    to: PortRef::new(id("output-1"), "value"),
                },
            },
            ChangeError::EdgeToMissingBlock { edge: EdgeId::new("e-7"), block: id("ghost") },
        ),
        // A batch that fails half-way is rolled back entirely.
        (
            FlowChange::Batch(vec![
                FlowChange::SetTitle { id: id("input-1"), title: "changed".into() },
                FlowChange::RemoveBlock { id: id("prompt-1") },
                FlowChange::MoveBlock { id: id("nope"), to: Point::default() },
            ]),
            ChangeError::NoSuchBlock(id("nope")),
        ),
    ];
    for (change, expected) in bad {
        let mut flow = original.clone();
        assert_eq!(apply(&mut flow, change), Err(expected));
        assert_eq!(flow, original);
    }
}

#[test]
fn history_undoes_and_redoes_in_order() {
    let mut flow = starter_flow(0);
    let mut h = History::default();
    h.apply(&mut flow, FlowChange::SetTitle { id: id("input-1"), title: "A".into() }).unwrap();
    h.apply(&mut flow, FlowChange::MoveBlock { id: id("input-1"), to: Point::new(9.0, 9.0) }).unwrap();
    assert!(h.undo(&mut flow).is_some());
    assert_eq!(flow.block(&id("input-1")).unwrap().position, Point::new(40.0, 160.0));
    assert_eq!(flow.block(&id("input-1")).unwrap().title, "A");
    assert!(h.redo(&mut flow).is_some());
    assert_eq!(flow.block(&id("input-1")).unwrap().position, Point::new(9.0, 9.0));
    assert!(h.undo(&mut flow).is_some() && h.undo(&mut flow).is_some());
    assert_eq!(flow, starter_flow(0));
    assert!(h.undo(&mut flow).is_none(), "nothing left to undo");
    // A new edit after undo drops the redo stack.
    h.apply(&mut flow, FlowChange::SetFlowTitle { title: "x".into() }).unwrap();
    assert!(!h.can_redo());
}

// ---- property: any sequence of changes, then as many undos, gives back the original ----

fn arb_change(flow: &Flow, seed: u64) -> FlowChange {
    // Picks a change that is valid for the current flow, deterministically from `seed`.
    let ids: Vec<BlockId> = flow.blocks.iter().map(|b| b.id.clone()).collect();
    let pick = |n: usize| ids.get((seed as usize / 7) % n.max(1)).cloned();
    match seed % 9 {
        0 => FlowChange::AddBlock { index: (seed % 5) as usize, block: note_block(&flow.fresh_block_id("n").0) },
        1 if !ids.is_empty() => FlowChange::RemoveBlock { id: pick(ids.len()).unwrap() },
        2 if !ids.is_empty() => FlowChange::MoveBlock {
            id: pick(ids.len()).unwrap(),
            to: Point::new((seed % 997) as f64, -((seed % 13) as f64)),
        },
        3 if !ids.is_empty() => FlowChange::SetTitle { id: pick(ids.len()).unwrap(), title: format!("t{seed}") },
        4 if !ids.is_empty() => FlowChange::SetNote {
            id: pick(ids.len()).unwrap(),
            note: if seed.is_multiple_of(2) { None } else { Some(format!("n{seed}")) },
        },
        5 if !ids.is_empty() => FlowChange::SetConfig {
            id: pick(ids.len()).unwrap(),
            config: BlockKind::ALL[(seed % 4) as usize].default_config(),
        },
        6 if ids.len() >= 2 => FlowChange::AddEdge {
            index: (seed % 3) as usize,
            edge: Edge {
                id: flow.fresh_edge_id(),
                from: PortRef::new(ids[seed as usize % ids.len()].clone(), "text"),
                to: PortRef::new(ids[(seed as usize / 3) % ids.len()].clone(), "value"),
            },
        },
        7 if !flow.edges.is_empty() => {
            FlowChange::RemoveEdge { id: flow.edges[seed as usize % flow.edges.len()].id.clone() }
        }
        _ => FlowChange::SetFlowTitle { title: format!("flow {seed}") },
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]
    #[test]
    fn any_changes_then_as_many_undos_restore_the_original(seeds in prop::collection::vec(any::<u64>(), 0..40)) {
        let original = starter_flow(5);
        let mut flow = original.clone();
        let mut history = History::default();
        let mut applied = 0;
        for seed in seeds {
            let change = arb_change(&flow, seed);
            if history.apply(&mut flow, change).is_ok() {
                applied += 1;
            }
        }
        for _ in 0..applied {
            prop_assert!(history.undo(&mut flow).is_some());
        }
        prop_assert_eq!(flow, original);
    }
}

#[test]
fn typing_in_one_field_is_one_undo_step() {
    let mut flow = starter_flow(0);
    let mut h = History::default();
    for title in ["D", "Dr", "Dra", "Draft"] {
        h.apply_merging(&mut flow, FlowChange::SetTitle { id: id("input-1"), title: title.into() }, "title:input-1")
            .unwrap();
    }
    h.end_merge();
    h.apply_merging(&mut flow, FlowChange::SetTitle { id: id("input-1"), title: "Draft 2".into() }, "title:input-1")
        .unwrap();
    assert!(h.undo(&mut flow).is_some());
    assert_eq!(flow.block(&id("input-1")).unwrap().title, "Draft");
    assert!(h.undo(&mut flow).is_some());
    assert_eq!(flow, starter_flow(0));
    assert!(h.undo(&mut flow).is_none());
}
