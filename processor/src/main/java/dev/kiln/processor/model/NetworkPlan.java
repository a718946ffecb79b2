package dev.kiln.processor.model;

import java.util.ArrayList;
import java.util.List;

/**
 * A checked network as a planned graph: every node with its edges and shapes, the parameter
 * layout, and the loss fusion. What the emitters consume.
 *
 * @param nodes the network's inputs and layers in execution order; the last is the output
 * @param parameterCount values in the flat parameter array
 * @param trainableCount the trainable prefix of the flat array
 */
public record NetworkPlan(NetworkSpec spec, List<LayerPlan> nodes, int parameterCount, int trainableCount) {
  public NetworkPlan {
    nodes = List.copyOf(nodes);
  }

  public LayerPlan output() {
    return nodes.get(nodes.size() - 1);
  }

  /** The network's inputs, in declaration order. */
  public List<LayerPlan> inputs() {
    return nodes.stream().filter(LayerPlan::isInput).toList();
  }

  /** The nodes that compute something: every node but the inputs. */
  public List<LayerPlan> layers() {
    return nodes.stream().filter(n -> !n.isInput()).toList();
  }

  /** The nodes that read {@code node}, in execution order. */
  public List<LayerPlan> consumers(LayerPlan node) {
    List<LayerPlan> consumers = new ArrayList<>();
    for (LayerPlan n : nodes) {
      for (LayerPlan input : n.inputs()) {
        if (input == node) {
          consumers.add(n);
        }
      }
    }
    return consumers;
  }


  public int outputSize() {
    return (int) output().outputShape().size();
  }
}
