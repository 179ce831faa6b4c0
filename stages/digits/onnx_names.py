"""ONNX files that are the same bytes for the same model.

tf2onnx numbers the names it invents (`const_axes__41`, `Transpose__52`) from a counter whose
value depends on what ran before in the process (the batch dimension's `unk__96` as well), and
now and then lists independent nodes in another order, so two exports of one model differ, and
DVC sees a new `model.onnx` on every `dvc repro -f`. Putting the nodes in an order given by the
graph's structure alone (depth first from the outputs, each node's inputs in their order),
renumbering invented names in that order, and storing initializers in it, makes the file a
function of the graph alone. Names tf2onnx took from the Keras layers are kept.
"""

import re

import onnx

_INVENTED = re.compile(r"__\d+(:\d+)?$")  # tf2onnx's `make_name`, maybe with an output index


def _renumbered(names, prefix) -> dict:
    """Invented names -> `prefix(name)__k`, k counting first appearances."""
    mapping = {}
    for name in names:
        if name and name not in mapping and _INVENTED.search(name):
            mapping[name] = f"{prefix(name)}__{len(mapping)}"
    return mapping


def _structural_order(graph) -> list:
    """The nodes, each after the producers of its inputs, visited from the graph's outputs
    in input order: an order that does not depend on how the nodes were listed."""
    producer = {name: node for node in graph.node for name in node.output}
    seen, order = set(), []

    def visit(node):
        if id(node) in seen:
            return
        seen.add(id(node))
        for name in node.input:
            if name in producer:
                visit(producer[name])
        order.append(node)

    for output in graph.output:
        if output.name in producer:
            visit(producer[output.name])
    order += [node for node in graph.node if id(node) not in seen]  # none in a sound graph
    return [onnx.NodeProto.FromString(node.SerializeToString()) for node in order]


def canonical(model: onnx.ModelProto) -> onnx.ModelProto:
    """`model` with invented names renumbered in graph order; the graph is otherwise unchanged.

    Only the top-level graph is renamed (Keras's digit models have no subgraphs).
    """
    graph = model.graph
    if any(attr.type in (onnx.AttributeProto.GRAPH, onnx.AttributeProto.GRAPHS)
           for node in graph.node for attr in node.attribute):
        raise ValueError("canonical: subgraphs are not renamed")
    nodes_in_order = _structural_order(graph)
    graph.ClearField("node")
    graph.node.extend(nodes_in_order)
    uses = [name for node in graph.node for name in [*node.input, *node.output]]
    # The invented part goes too: tf2onnx merges equal constants, keeping whichever name
    # (`const_axes`, `const_starts`) came first.
    tensors = _renumbered([*(i.name for i in graph.input), *uses], lambda name: "tensor")
    op_types = {node.name: node.op_type for node in graph.node}
    nodes = _renumbered([node.name for node in graph.node], op_types.get)

    for node in graph.node:
        node.name = nodes.get(node.name, node.name)
        node.input[:] = [tensors.get(n, n) for n in node.input]
        node.output[:] = [tensors.get(n, n) for n in node.output]
    for value in [*graph.input, *graph.output, *graph.value_info, *graph.initializer]:
        value.name = tensors.get(value.name, value.name)
    first_use = {name: i for i, name in reversed(list(enumerate(
        tensors.get(n, n) for n in uses)))}
    initializers = sorted(graph.initializer, key=lambda t: (first_use.get(t.name, len(uses)),
                                                            t.name))
    graph.ClearField("initializer")
    graph.initializer.extend(initializers)
    _rename_dimensions([*graph.input, *graph.output, *graph.value_info])
    return model


def _rename_dimensions(values):
    """Invented names of dimensions of unknown size (`unk__96`) renumbered in order of
    appearance, as `dim__k`."""
    dims = [dim for value in values for dim in value.type.tensor_type.shape.dim
            if dim.HasField("dim_param")]
    names = _renumbered([dim.dim_param for dim in dims], lambda name: "dim")
    for dim in dims:
        dim.dim_param = names.get(dim.dim_param, dim.dim_param)
