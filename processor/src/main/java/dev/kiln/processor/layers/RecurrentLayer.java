package dev.kiln.processor.layers;

import dev.kiln.processor.model.StepRule;

import dev.kiln.annotations.ActivationFunction;
import dev.kiln.annotations.GRU;
import dev.kiln.annotations.Initializer;
import dev.kiln.annotations.LSTM;
import dev.kiln.annotations.SimpleRNN;
import dev.kiln.processor.Diagnostics;
import dev.kiln.processor.Message;
import dev.kiln.processor.emit.LayerEmitter;
import dev.kiln.processor.model.LayerDeclaration;
import dev.kiln.processor.model.LayerSpec;
import dev.kiln.processor.model.Parameter;
import dev.kiln.processor.model.Shape;
import dev.kiln.processor.model.Site;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * {@code @LSTM}, {@code @GRU} and {@code @SimpleRNN}: a recurrent layer over a sequence [time,
 * features], giving [time, units] with {@code returnSequences}, else [units]. W_ih and W_hh are
 * saved as PyTorch's [G, features] and [G, units] (G = 4, 3 or 1 times units, gates in PyTorch's
 * order) and stored transposed, [features, G] and [units, G] (Keras's kernel layout), so the input
 * projection of all steps and each step's recurrent product stream rows. The LSTM and the simple
 * RNN keep Keras's one bias, saved as PyTorch's bias_ih_l0 + bias_hh_l0; the GRU keeps both.
 *
 * @param function the candidate's (and LSTM cell's) activation
 * @param gateFunction the gates' activation (unused by the simple RNN)
 */
public record RecurrentLayer(
    String name, Site site, List<String> inputs, Cell cell, int units, ActivationFunction function,
    ActivationFunction gateFunction, boolean returnSequences, Initializer kernelInit, Initializer recurrentInit,
    boolean unitForgetBias, boolean trainable) implements LayerSpec {
  @Override
  public StepRule stepRule() {
    return returnSequences ? StepRule.SEQUENCE : StepRule.LAST_STEP;
  }

  /** The three cells: Keras's type name and gates per unit. */
  public enum Cell {
    LSTM("LSTM", 4),
    GRU("GRU", 3),
    SIMPLE_RNN("SimpleRNN", 1);

    final String keras;
    final int gates;

    Cell(String keras, int gates) {
      this.keras = keras;
      this.gates = gates;
    }
  }

  /** The activations the recurrent kernels implement (derivatives from their outputs). */
  static final Set<ActivationFunction> SUPPORTED = EnumSet.of(
      ActivationFunction.TANH, ActivationFunction.SIGMOID, ActivationFunction.RELU, ActivationFunction.LINEAR);

  public RecurrentLayer {
    inputs = List.copyOf(inputs);
  }

  static RecurrentLayer readLstm(LayerDeclaration d) {
    LSTM a = d.annotation(LSTM.class);
    return new RecurrentLayer(d.name(), d.site(), d.inputs(), Cell.LSTM, a.units(), a.activation(),
        a.recurrentActivation(), a.returnSequences(), a.kernelInit(), a.recurrentInit(), a.unitForgetBias(),
        a.trainable());
  }

  static RecurrentLayer readGru(LayerDeclaration d) {
    GRU a = d.annotation(GRU.class);
    return new RecurrentLayer(d.name(), d.site(), d.inputs(), Cell.GRU, a.units(), a.activation(),
        a.recurrentActivation(), a.returnSequences(), a.kernelInit(), a.recurrentInit(), false, a.trainable());
  }

  static RecurrentLayer readSimpleRnn(LayerDeclaration d) {
    SimpleRNN a = d.annotation(SimpleRNN.class);
    return new RecurrentLayer(d.name(), d.site(), d.inputs(), Cell.SIMPLE_RNN, a.units(), a.activation(),
        ActivationFunction.LINEAR, a.returnSequences(), a.kernelInit(), a.recurrentInit(), false, a.trainable());
  }

  @Override
  public String typeName() {
    return cell.keras;
  }

  /** Gates times units: the width of the fused gate products. */
  public int gateWidth() {
    return cell.gates * units;
  }

  @Override
  public void check(Diagnostics diagnostics) {
    if (units <= 0) {
      diagnostics.error(site, "units", Message.RECURRENT_UNITS, cell.keras, units);
    }
    if (!SUPPORTED.contains(function)) {
      diagnostics.error(site, "activation", Message.RECURRENT_ACTIVATION, cell.keras, "activation", function);
    }
    if (cell != Cell.SIMPLE_RNN && !SUPPORTED.contains(gateFunction)) {
      diagnostics.error(site, "recurrentActivation", Message.RECURRENT_ACTIVATION, cell.keras,
          "recurrentActivation", gateFunction);
    }
  }

  @Override
  public Shape outputShape(List<Shape> in, Diagnostics diagnostics) {
    Shape input = in.get(0);
    if (input.rank() != 2) {
      diagnostics.error(site, null, Message.RECURRENT_INPUT_RANK, cell.keras, name,
          Layers.describe(inputs, in));
      return null;
    }
    return returnSequences ? Shape.of(input.dim(0), units) : Shape.of(units);
  }

  @Override
  public List<Parameter> parameters(List<Shape> in) {
    int features = in.get(0).last();
    int g = gateWidth();
    List<Parameter> tensors = new ArrayList<>();
    tensors.add(new Parameter("weight_ih_l0", Shape.of(g, features), new int[] {1, 0}, trainable, kernelInit, 0,
        features, g, 0, 0));
    tensors.add(new Parameter("weight_hh_l0", Shape.of(g, units), new int[] {1, 0}, trainable, recurrentInit, 0,
        units, g, 0, 0));
    if (cell == Cell.GRU) {
      tensors.add(Parameter.plain("bias_ih_l0", Shape.of(g), trainable, Initializer.ZEROS, 0));
      tensors.add(Parameter.plain("bias_hh_l0", Shape.of(g), trainable, Initializer.ZEROS, 0));
    } else {
      tensors.add(new Parameter("bias", Shape.of(g), new int[] {0}, trainable, Initializer.ZEROS, 0, features, g,
          0, 0, List.of("bias_ih_l0", "bias_hh_l0")));
    }
    return tensors;
  }

  @Override
  public LayerEmitter emitter() {
    return new RecurrentEmitter(this);
  }
}
