package dev.kiln.processor.layers;

import dev.kiln.processor.model.StepRule;

import dev.kiln.annotations.Dense;
import dev.kiln.annotations.Initializer;
import dev.kiln.processor.Diagnostics;
import dev.kiln.processor.Message;
import dev.kiln.processor.emit.LayerEmitter;
import dev.kiln.processor.model.ActivationSpec;
import dev.kiln.processor.model.FloatRule;
import dev.kiln.processor.model.LayerDeclaration;
import dev.kiln.processor.model.LayerSpec;
import dev.kiln.processor.model.Parameter;
import dev.kiln.processor.model.Shape;
import dev.kiln.processor.model.Site;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code @Dense}: y = activation(x W + b) over the last axis (Keras's rule: on a [T, F] input it
 * applies to each of the T positions). W is saved as PyTorch's [units, inputs] and stored
 * [inputs, units], so the forward product and batch-1 prediction stream rows of it.
 */
public record DenseLayer(
    String name, Site site, List<String> inputs, int units, ActivationSpec activation, Initializer kernelInit,
    double kernelInitValue, double kernelL1, double kernelL2, boolean useBias, Initializer biasInit,
    double biasInitValue, boolean trainable) implements LayerSpec {
  @Override
  public StepRule stepRule() {
    return StepRule.PER_POSITION; // a product over the last axis at each position
  }

  public DenseLayer {
    inputs = List.copyOf(inputs);
  }

  static DenseLayer read(LayerDeclaration d) {
    Dense a = d.annotation(Dense.class);
    return new DenseLayer(d.name(), d.site(), d.inputs(), a.units(),
        ActivationSpec.of(a.activation(), a.alpha(), a.temperature()), a.kernelInit(), a.kernelInitValue(),
        a.kernelL1(), a.kernelL2(), a.useBias(), a.biasInit(), a.biasInitValue(), a.trainable());
  }

  @Override
  public String typeName() {
    return "Dense";
  }

  @Override
  public void check(Diagnostics diagnostics) {
    if (units <= 0) {
      diagnostics.error(site, "units", Message.DENSE_UNITS, units);
    }
    Initializers.check(site, "kernelInitValue", kernelInit, kernelInitValue, diagnostics);
    Initializers.check(site, "biasInitValue", biasInit, biasInitValue, diagnostics);
    for (String attribute : new String[] {"kernelL1", "kernelL2"}) {
      double strength = attribute.equals("kernelL1") ? kernelL1 : kernelL2;
      FloatRule.NON_NEGATIVE.check(diagnostics, site, attribute, "@Dense " + attribute, strength,
          Message.DENSE_REGULARIZER, attribute, strength);
    }
    activation.check(site, diagnostics);
  }

  @Override
  public Shape outputShape(List<Shape> in, Diagnostics diagnostics) {
    return in.get(0).withLast(units);
  }

  @Override
  public List<Parameter> parameters(List<Shape> in) {
    int features = in.get(0).last();
    List<Parameter> tensors = new ArrayList<>();
    Shape.SavedOrder saved = in.get(0).rank() == 1 ? in.get(0).savedOrder() : null;
    if (saved == null) {
      tensors.add(new Parameter("weight", Shape.of(units, features), new int[] {1, 0}, trainable, kernelInit,
          kernelInitValue, features, units, kernelL1, kernelL2));
    } else {
      // After a Flatten: saved [units, features] with PyTorch's feature order, viewed as [units,
      // savedDims...] and stored [Kiln's feature axes..., units].
      int[] dims = saved.savedDims();
      int[] order = saved.order();
      int[] view = new int[dims.length + 1];
      int[] stored = new int[dims.length + 1];
      view[0] = units;
      for (int i = 0; i < dims.length; i++) {
        view[i + 1] = dims[i];
        stored[i] = order[i] + 1;
      }
      stored[dims.length] = 0;
      tensors.add(new Parameter("weight", Shape.of(units, features), stored, trainable, kernelInit, kernelInitValue,
          features, units, kernelL1, kernelL2, Shape.of(view)));
    }
    if (useBias) {
      tensors.add(new Parameter("bias", Shape.of(units), new int[] {0}, trainable, biasInit, biasInitValue,
          features, units, 0, 0));
    }
    return tensors;
  }

  @Override
  public LayerEmitter emitter() {
    return new DenseEmitter(this);
  }
}
