package dev.kiln.processor;

import dev.kiln.processor.layers.LayerKinds;
import dev.kiln.processor.model.LayerSpec;
import dev.kiln.processor.model.NetworkSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * The network as a graph: its nodes (the implicit input, if any, then the declared layers in
 * source order) and each node's input edges resolved from parameter names. The checker reports
 * what does not resolve; the planner builds on a graph that does.
 */
final class Graph {
  final List<LayerSpec> nodes;
  /** Per node, the indices of the nodes it reads, in parameter order; null where a name did not resolve. */
  final List<List<Integer>> edges;

  private Graph(List<LayerSpec> nodes, List<List<Integer>> edges) {
    this.nodes = nodes;
    this.edges = edges;
  }

  /** Resolves every edge, reporting names that do not resolve when {@code diagnostics} is not null. */
  static Graph of(NetworkSpec network, Diagnostics diagnostics) {
    List<LayerSpec> nodes = new ArrayList<>();
    if (network.hasImplicitInput() && network.inputShape().length > 0) {
      nodes.add(LayerKinds.implicitInput(network.site(), NetworkSpec.IMPLICIT_INPUT, network.inputShape()));
    }
    nodes.addAll(network.layers());
    List<List<Integer>> edges = new ArrayList<>();
    for (int j = 0; j < nodes.size(); j++) {
      LayerSpec node = nodes.get(j);
      List<Integer> inputs = new ArrayList<>();
      if (node.inputs().isEmpty()) {
        if (!node.isInput() && j > 0) {
          inputs.add(j - 1);
        } else if (!node.isInput()) {
          inputs = null; // the network declares no input at all: reported on @Network
        }
      } else {
        for (String name : node.inputs()) {
          int found = indexOf(nodes, name);
          if (found < 0 || found >= j) {
            if (diagnostics != null) {
              report(diagnostics, nodes, node, j, name, found);
            }
            inputs = null;
            break;
          }
          inputs.add(found);
        }
      }
      edges.add(inputs);
    }
    return new Graph(nodes, edges);
  }

  private static void report(Diagnostics diagnostics, List<LayerSpec> nodes, LayerSpec node, int j, String name,
      int found) {
    if (found == j) {
      diagnostics.error(node.site(), null, Message.GRAPH_SELF, name, node.name());
    } else if (found > j) {
      diagnostics.error(node.site(), null, Message.GRAPH_LATER, name, node.name(), name, node.name());
    } else {
      List<String> earlier = new ArrayList<>();
      for (int i = 0; i < j; i++) {
        earlier.add(nodes.get(i).name());
      }
      diagnostics.error(node.site(), null, Message.METHOD_PARAMETER_UNKNOWN, name, node.name(),
          earlier.isEmpty() ? "none" : String.join(", ", earlier));
    }
  }

  private static int indexOf(List<LayerSpec> nodes, String name) {
    for (int i = 0; i < nodes.size(); i++) {
      if (nodes.get(i).name().equals(name)) {
        return i;
      }
    }
    return -1;
  }

  int output() {
    return nodes.size() - 1;
  }

  /** Whether node {@code i} is read by another node. */
  boolean isRead(int i) {
    for (List<Integer> e : edges) {
      if (e != null && e.contains(i)) {
        return true;
      }
    }
    return false;
  }
}
