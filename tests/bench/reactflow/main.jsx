// The canvas benchmark's peer: the same Chainboard flow file drawn by React Flow (@xyflow/react)
// with the features Chainboard's canvas shows (dot grid, minimap, zoom controls), in a pane placed
// and sized like Chainboard's canvas (?x=&y=&w=&h=, from the bench), so that both fit the same
// graph into the same area. tests/bench/canvas-bench.mjs opens it through window.openFlow.
import { createRoot } from "react-dom/client";
import { useState } from "react";
import { ReactFlow, Background, Controls, MiniMap } from "@xyflow/react";
import "@xyflow/react/dist/style.css";

const MIN_ZOOM = 0.1; // Chainboard's minimum zoom (src/domain/layout.rs), which fitting 1,000 blocks reaches
const CARD_WIDTH = 264; // Chainboard's block width (style/canvas.css)

// Chainboard blocks and edges (docs/flow-format.md) as React Flow nodes and edges, same
// positions. Inputs only send, so they get React Flow's source-only node type.
function toReactFlow(text) {
  const flow = JSON.parse(text);
  const nodes = flow.blocks.map((b) => ({
    id: b.id,
    type: b.kind === "input" ? "input" : "default",
    position: b.position,
    data: { label: b.title },
    style: { width: CARD_WIDTH },
  }));
  const edges = flow.edges.map((e) => ({ id: e.id, source: e.from.block, target: e.to.block }));
  return { nodes, edges };
}

function App() {
  const [flow, setFlow] = useState(null);
  window.openFlow = (text) => setFlow(toReactFlow(text));
  if (!flow) return null;
  // Uncontrolled (defaultNodes/defaultEdges): React Flow keeps the state and handles dragging.
  return (
    <ReactFlow defaultNodes={flow.nodes} defaultEdges={flow.edges} fitView minZoom={MIN_ZOOM} maxZoom={2.5}>
      <Background variant="dots" />
      <MiniMap />
      <Controls />
    </ReactFlow>
  );
}

const pane = Object.fromEntries(new URLSearchParams(location.search));
const root = document.getElementById("root");
Object.assign(root.style, { position: "absolute", left: `${pane.x ?? 0}px`, top: `${pane.y ?? 0}px`,
  width: pane.w ? `${pane.w}px` : "100vw", height: pane.h ? `${pane.h}px` : "100vh" });
createRoot(root).render(<App />);
