package dev.kiln.processor;

import dev.kiln.annotations.ActivationFunction;
import dev.kiln.annotations.Loss;
import dev.kiln.processor.model.LayerPlan;
import dev.kiln.processor.model.LayerPlan.TensorPlan;
import dev.kiln.processor.model.LayerSpec;
import dev.kiln.processor.model.NetworkPlan;
import dev.kiln.processor.model.NetworkSpec;
import dev.kiln.processor.model.Parameter;
import dev.kiln.processor.model.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * Stages 3 and 4: infers every node's shape from its inputs' (each kind's own rule), lays the
 * parameters out in the flat array, and decides the loss fusion. Sizes are computed exactly: a
 * network whose arrays would not fit Java's limit is a located error, never a wrapped number.
 */
final class Planner {
  private final Diagnostics diagnostics;

  Planner(Diagnostics diagnostics) {
    this.diagnostics = diagnostics;
  }

  /**
   * The plan, or null when an error was reported. Trainable tensors come first in the flat array,
   * in layer order, then the non-trainable ones: the optimizer steps one contiguous range.
   */
  NetworkPlan plan(NetworkSpec network) {
    return plan(network, false);
  }

  /**
   * The plan of one time step: every input's leading (time) axis is 1. What the step program is
   * generated from; {@link StepPlanner} decides whether it computes what the whole sequence does.
   */
  NetworkPlan planStep(NetworkSpec network) {
    return plan(network, true);
  }

  private NetworkPlan plan(NetworkSpec network, boolean oneStep) {
    Graph graph = Graph.of(network, null);
    int count = graph.nodes.size();
    List<Shape> shapes = new ArrayList<>();
    List<List<Parameter>> parameters = new ArrayList<>();
    for (int j = 0; j < count; j++) {
      LayerSpec node = graph.nodes.get(j);
      List<Shape> in = new ArrayList<>();
      for (int i : graph.edges.get(j)) {
        in.add(shapes.get(i));
      }
      Shape shape = node.outputShape(in, diagnostics);
      if (shape == null) {
        return null;
      }
      if (oneStep && node.isInput()) {
        int[] dims = shape.toArray();
        dims[0] = 1;
        shape = Shape.of(dims);
      }
      if (shape.size() > Shape.MAX_VALUES) {
        diagnostics.error(node.site(), null, Message.SIZE_LIMIT, node.name() + "()", "its output " + shape,
            shape.size());
        return null;
      }
      shapes.add(shape);
      parameters.add(node.parameters(in));
    }
    LayerSpec output = graph.nodes.get(count - 1);
    if (output.activation().function() == ActivationFunction.SOFTMAX && shapes.get(count - 1).last() == 1) {
      diagnostics.error(output.site(), output.site().has("activation") ? "activation" : "value",
          Message.SOFTMAX_ONE_UNIT);
      return null;
    }
    if (!checkBatchBuffers(network, graph, shapes)) {
      return null;
    }
    // Offsets: trainable tensors of every layer first, then the non-trainable ones.
    List<List<TensorPlan>> tensors = new ArrayList<>();
    for (int j = 0; j < count; j++) {
      tensors.add(new ArrayList<>());
    }
    long offset = 0;
    long trainable = 0;
    for (boolean pass : new boolean[] {true, false}) {
      for (int j = 0; j < count; j++) {
        for (Parameter p : parameters.get(j)) {
          if (p.trainable() == pass) {
            if (offset + p.savedShape().size() > Shape.MAX_VALUES) {
              LayerSpec node = graph.nodes.get(j);
              diagnostics.error(node.site(), null, Message.SIZE_LIMIT, node.name() + "()",
                  "the network's parameters up to " + node.name() + "." + p.suffix(), offset + p.savedShape().size());
              return null;
            }
            tensors.get(j).add(new TensorPlan(p, (int) offset));
            offset += p.savedShape().size();
          }
        }
      }
      if (pass) {
        trainable = offset;
      }
    }
    boolean fused = isLossFused(network, graph);
    List<LayerPlan> nodes = new ArrayList<>();
    for (int j = 0; j < count; j++) {
      List<LayerPlan> inputs = new ArrayList<>();
      for (int i : graph.edges.get(j)) {
        inputs.add(nodes.get(i));
      }
      nodes.add(new LayerPlan(graph.nodes.get(j), j, inputs, shapes.get(j), inSaveOrder(parameters.get(j),
          tensors.get(j)), fused && j == count - 1));
    }
    return new NetworkPlan(network, nodes, (int) offset, (int) trainable);
  }

  /** Every per-sample buffer holds DEFAULT_MAX_BATCH samples: that product must fit an array too. */
  private boolean checkBatchBuffers(NetworkSpec network, Graph graph, List<Shape> shapes) {
    for (int j = 0; j < shapes.size(); j++) {
      long values = (long) network.maxBatch() * shapes.get(j).size();
      if (values > Shape.MAX_VALUES) {
        diagnostics.error(network.site(), "maxBatch", Message.SIZE_LIMIT, "@Network maxBatch " + network.maxBatch(),
            "the buffer of " + graph.nodes.get(j).name() + " " + shapes.get(j) + " for a full batch", values);
        return false;
      }
    }
    return true;
  }

  /** A layer's tensors in declaration (save) order, whatever order the layout assigned them in. */
  private static List<TensorPlan> inSaveOrder(List<Parameter> declared, List<TensorPlan> planned) {
    List<TensorPlan> ordered = new ArrayList<>();
    for (Parameter p : declared) {
      for (TensorPlan t : planned) {
        if (t.parameter() == p) {
          ordered.add(t);
        }
      }
    }
    return ordered;
  }

  /**
   * Softmax + (sparse) categorical and sigmoid + binary cross-entropy: the loss writes (p - y)/n
   * straight onto the logits. Not when the logits come straight from a network input or feed
   * another layer too (the loss would overwrite that layer's share of their gradient).
   */
  private static boolean isLossFused(NetworkSpec network, Graph graph) {
    int output = graph.output();
    LayerSpec layer = graph.nodes.get(output);
    ActivationFunction f = layer.activation().function();
    Loss loss = network.loss();
    boolean matches = (f == ActivationFunction.SOFTMAX
            && (loss == Loss.CATEGORICAL_CROSSENTROPY || loss == Loss.SPARSE_CATEGORICAL_CROSSENTROPY))
        || (f == ActivationFunction.SIGMOID && loss == Loss.BINARY_CROSSENTROPY);
    if (!matches || !layer.activatesInput()) {
      return matches; // the layer keeps its logits itself
    }
    // An activation layer's logits are its input's output.
    int logits = graph.edges.get(output).get(0);
    int readers = 0;
    for (List<Integer> e : graph.edges) {
      readers += e.contains(logits) ? 1 : 0;
    }
    return !graph.nodes.get(logits).isInput() && readers == 1;
  }
}
