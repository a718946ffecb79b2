package dev.kiln.processor;

import dev.kiln.annotations.ActivationFunction;
import dev.kiln.annotations.Loss;
import dev.kiln.processor.model.ActivationLayerSpec;
import dev.kiln.processor.model.DenseSpec;
import dev.kiln.processor.model.LayerPlan;
import dev.kiln.processor.model.LayerPlan.TensorPlan;
import dev.kiln.processor.model.LayerSpec;
import dev.kiln.processor.model.NetworkPlan;
import dev.kiln.processor.model.NetworkSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Stages 3 and 4: infers every layer's shapes, lays the parameters out in the flat array and
 * decides the loss fusion. Shape mismatches are reported here, on the layer that cannot take its
 * input.
 */
final class Planner {
  private final Diagnostics diagnostics;

  Planner(Diagnostics diagnostics) {
    this.diagnostics = diagnostics;
  }

  /** The plan, or null when a shape error was reported. */
  NetworkPlan plan(NetworkSpec network) {
    List<LayerSpec> specs = network.layers();
    boolean fused = isLossFused(network);
    int[] shape = network.inputShape();
    int offset = 0;
    LayerPlan previous = null;
    List<LayerPlan> layers = new ArrayList<>();
    boolean ok = true;
    for (int i = 0; i < specs.size(); i++) {
      LayerSpec spec = specs.get(i);
      boolean isOutput = i == specs.size() - 1;
      int[] outputShape;
      List<TensorPlan> tensors = new ArrayList<>();
      if (spec instanceof DenseSpec dense) {
        if (shape.length != 1) {
          diagnostics.error(spec.site(), null, Message.DENSE_INPUT_RANK, spec.name(), Arrays.toString(shape));
          ok = false;
          shape = new int[] {Arrays.stream(shape).reduce(1, (a, b) -> a * b)};
        }
        int inputs = shape[0];
        // Kernel kept [inputs][units]: the forward product and batch-1 prediction stream rows of it.
        tensors.add(new TensorPlan("weight", offset, new int[] {dense.units(), inputs}, true));
        offset += inputs * dense.units();
        if (dense.useBias()) {
          tensors.add(new TensorPlan("bias", offset, new int[] {dense.units()}, false));
          offset += dense.units();
        }
        outputShape = new int[] {dense.units()};
      } else if (spec instanceof ActivationLayerSpec) {
        outputShape = shape;
      } else {
        throw new IllegalStateException("no planner for " + spec.typeName());
      }
      LayerPlan plan = new LayerPlan(
          spec, i, previous, shape, outputShape, tensors.isEmpty() ? offset : tensors.get(0).offset(), tensors,
          isOutput && fused);
      layers.add(plan);
      previous = plan;
      shape = outputShape;
    }
    return ok ? new NetworkPlan(network, layers, offset) : null;
  }

  /** Softmax + (sparse) categorical and sigmoid + binary cross-entropy: gradient (p - y) on the logits. */
  static boolean isLossFused(NetworkSpec network) {
    ActivationFunction f = NetworkPlan.activationOf(network.layers().get(network.layers().size() - 1)).function();
    Loss loss = network.loss();
    return (f == ActivationFunction.SOFTMAX
            && (loss == Loss.CATEGORICAL_CROSSENTROPY || loss == Loss.SPARSE_CATEGORICAL_CROSSENTROPY))
        || (f == ActivationFunction.SIGMOID && loss == Loss.BINARY_CROSSENTROPY);
  }
}
