package dev.kiln.processor;

import dev.kiln.annotations.ActivationFunction;
import dev.kiln.annotations.Loss;
import dev.kiln.processor.model.ActivationLayerSpec;
import dev.kiln.processor.model.DenseSpec;
import dev.kiln.processor.model.DropoutSpec;
import dev.kiln.processor.model.GaussianNoiseSpec;
import dev.kiln.processor.model.NormalizationSpec;
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

  /** A tensor before layout: offsets are assigned once every layer's tensors are known. */
  private record Draft(String suffix, int[] shape, boolean transposed, boolean trainable) {}

  /**
   * The plan, or null when a shape error was reported. Trainable tensors come first in the flat
   * array, in layer order, then the non-trainable ones: the optimizer steps one contiguous range.
   */
  NetworkPlan plan(NetworkSpec network) {
    List<LayerSpec> specs = network.layers();
    boolean fused = isLossFused(network);
    int[] shape = network.inputShape();
    boolean ok = true;
    List<int[]> inputShapes = new ArrayList<>();
    List<int[]> outputShapes = new ArrayList<>();
    List<List<Draft>> drafts = new ArrayList<>();
    for (LayerSpec spec : specs) {
      List<Draft> tensors = new ArrayList<>();
      int[] outputShape;
      if (spec instanceof DenseSpec dense) {
        if (shape.length != 1) {
          diagnostics.error(spec.site(), null, Message.DENSE_INPUT_RANK, spec.name(), Arrays.toString(shape));
          ok = false;
          shape = new int[] {Arrays.stream(shape).reduce(1, (a, b) -> a * b)};
        }
        // Kernel kept [inputs][units]: the forward product and batch-1 prediction stream rows of it.
        tensors.add(new Draft("weight", new int[] {dense.units(), shape[0]}, true, dense.trainable()));
        if (dense.useBias()) {
          tensors.add(new Draft("bias", new int[] {dense.units()}, false, dense.trainable()));
        }
        outputShape = new int[] {dense.units()};
      } else if (spec instanceof NormalizationSpec norm) {
        if (shape.length != 1) {
          diagnostics.error(spec.site(), null, Message.NORM_INPUT_RANK, norm.overBatch() ? "BatchNorm" : "LayerNorm",
              spec.name(), Arrays.toString(shape));
          ok = false;
        }
        int[] features = {shape[shape.length - 1]};
        if (norm.scale()) {
          tensors.add(new Draft("weight", features, false, true));
        }
        if (norm.center()) {
          tensors.add(new Draft("bias", features, false, true));
        }
        if (norm.overBatch()) {
          tensors.add(new Draft("running_mean", features, false, false));
          tensors.add(new Draft("running_var", features, false, false));
        }
        outputShape = shape;
      } else if (spec instanceof ActivationLayerSpec || spec instanceof DropoutSpec || spec instanceof GaussianNoiseSpec) {
        outputShape = shape;
      } else {
        throw new IllegalStateException("no planner for " + spec.typeName());
      }
      inputShapes.add(shape);
      outputShapes.add(outputShape);
      drafts.add(tensors);
      shape = outputShape;
    }
    if (!ok) {
      return null;
    }
    int offset = 0;
    List<List<TensorPlan>> tensors = new ArrayList<>();
    for (int i = 0; i < specs.size(); i++) {
      tensors.add(new ArrayList<>());
    }
    int trainable = 0;
    for (boolean pass : new boolean[] {true, false}) {
      for (int i = 0; i < specs.size(); i++) {
        for (Draft d : drafts.get(i)) {
          if (d.trainable() == pass) {
            TensorPlan t = new TensorPlan(d.suffix(), offset, d.shape(), d.transposed(), d.trainable());
            tensors.get(i).add(t);
            offset += t.size();
          }
        }
      }
      if (pass) {
        trainable = offset;
      }
    }
    List<LayerPlan> layers = new ArrayList<>();
    LayerPlan previous = null;
    for (int i = 0; i < specs.size(); i++) {
      List<TensorPlan> layerTensors = orderedLikeDrafts(drafts.get(i), tensors.get(i));
      LayerPlan plan = new LayerPlan(specs.get(i), i, previous, inputShapes.get(i), outputShapes.get(i), layerTensors,
          i == specs.size() - 1 && fused);
      layers.add(plan);
      previous = plan;
    }
    return new NetworkPlan(network, layers, offset, trainable);
  }

  /** A layer's tensors in declaration (save) order, whatever order the layout assigned them in. */
  private static List<TensorPlan> orderedLikeDrafts(List<Draft> drafts, List<TensorPlan> planned) {
    List<TensorPlan> ordered = new ArrayList<>();
    for (Draft d : drafts) {
      for (TensorPlan t : planned) {
        if (t.suffix().equals(d.suffix())) {
          ordered.add(t);
        }
      }
    }
    return ordered;
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
