//! Copy and paste of blocks, within a flow, across flows and across browser tabs.
//! The clipboard holds an ordinary flow file containing only the copied blocks and the
//! edges between them, so anything that can read a flow file can read a clipboard.

use crate::domain::change::FlowChange;
use crate::domain::flow::{Block, BlockId, Edge, Flow, FlowMeta, Point, PortRef};
use crate::domain::flow_file;
use std::collections::HashMap;

/// The selected blocks and the edges between them, as a flow file.
pub fn copy(flow: &Flow, ids: &[BlockId]) -> Option<String> {
    let blocks: Vec<Block> = flow.blocks.iter().filter(|b| ids.contains(&b.id)).cloned().collect();
    if blocks.is_empty() {
        return None;
    }
    let edges =
        flow.edges.iter().filter(|e| ids.contains(&e.from.block) && ids.contains(&e.to.block)).cloned().collect();
    let fragment = Flow { meta: FlowMeta { title: "Copied blocks".into(), ..FlowMeta::default() }, blocks, edges };
    Some(flow_file::to_json(&fragment))
}

/// Reads clipboard text; None when it is not a Chainboard fragment (ordinary text is
/// left to whatever the user is typing into).
pub fn read(text: &str) -> Option<Flow> {
    if !text.contains("chainboard.flow") {
        return None;
    }
    flow_file::from_json(text).ok().filter(|f| !f.blocks.is_empty())
}

/// The change that pastes `fragment` into `flow`: fresh ids (so pasting twice works),
/// positions shifted by `offset`, edges re-pointed. Returns it with the new block ids.
pub fn paste(flow: &Flow, fragment: &Flow, offset: Point) -> (FlowChange, Vec<BlockId>) {
    let mut scratch = flow.clone();
    let mut renamed: HashMap<BlockId, BlockId> = HashMap::new();
    let mut changes = Vec::new();
    for b in &fragment.blocks {
        let prefix = b.config.kind_id().to_string();
        let id = scratch.fresh_block_id(&prefix);
        let mut block = b.clone();
        block.id = id.clone();
        block.position = Point::new(b.position.x + offset.x, b.position.y + offset.y);
        renamed.insert(b.id.clone(), id);
        scratch.blocks.push(block.clone());
        changes.push(FlowChange::AddBlock { index: usize::MAX, block });
    }
    for e in &fragment.edges {
        let (Some(from), Some(to)) = (renamed.get(&e.from.block), renamed.get(&e.to.block)) else { continue };
        let edge = Edge {
            id: scratch.fresh_edge_id(),
            from: PortRef::new(from.clone(), e.from.port.clone()),
            to: PortRef::new(to.clone(), e.to.port.clone()),
        };
        scratch.edges.push(edge.clone());
        changes.push(FlowChange::AddEdge { index: usize::MAX, edge });
    }
    let ids = fragment.blocks.iter().filter_map(|b| renamed.get(&b.id).cloned()).collect();
    (FlowChange::Batch(changes), ids)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::change::apply;
    use crate::domain::examples::starter_flow;
    use crate::domain::validate::validate;

    #[test]
    fn copy_then_paste_into_another_flow_keeps_inner_edges_only() {
        let source = starter_flow(0);
        let ids = [BlockId::new("prompt-1"), BlockId::new("output-1")];
        let text = copy(&source, &ids).unwrap();
        let fragment = read(&text).unwrap();
        assert_eq!(fragment.blocks.len(), 2);
        assert_eq!(fragment.edges.len(), 1, "only the edge between copied blocks");

        let mut target = starter_flow(0);
        let (change, new_ids) = paste(&target, &fragment, Point::new(32.0, 32.0));
        apply(&mut target, change).unwrap();
        assert_eq!(target.blocks.len(), 5);
        assert_eq!(new_ids, [BlockId::new("prompt-2"), BlockId::new("output-2")]);
        let pasted = target.block(&new_ids[0]).unwrap();
        assert_eq!(pasted.position, Point::new(360.0 + 32.0, 136.0 + 32.0));
        assert!(target.edges.iter().any(|e| e.from.block == new_ids[0] && e.to.block == new_ids[1]));
        // The pasted prompt's {{email}} is unconnected: validation says so, nothing else breaks.
        assert_eq!(validate(&target).len(), 1);
    }

    #[test]
    fn pasting_twice_gives_distinct_ids() {
        let mut flow = starter_flow(0);
        let fragment = read(&copy(&flow, &[BlockId::new("input-1")]).unwrap()).unwrap();
        for _ in 0..2 {
            let (change, _) = paste(&flow, &fragment, Point::new(16.0, 16.0));
            apply(&mut flow, change).unwrap();
        }
        assert_eq!(flow.blocks.len(), 5);
    }

    #[test]
    fn ordinary_text_is_not_a_fragment() {
        assert!(read("hello").is_none());
        assert!(read("{\"format\": \"chainboard.flow\", \"version\": 2}").is_none(), "no blocks");
        assert!(read("chainboard.flow but broken {").is_none());
        assert!(copy(&starter_flow(0), &[]).is_none());
    }
}
