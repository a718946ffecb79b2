package dev.kiln.processor.layers;

import com.palantir.javapoet.CodeBlock;
import dev.kiln.annotations.ActivationFunction;
import dev.kiln.processor.emit.Buffer;
import dev.kiln.processor.emit.GemmCalls;
import dev.kiln.processor.emit.LayerContext;
import dev.kiln.processor.emit.LayerEmitter;
import dev.kiln.processor.emit.RuntimeNames;
import dev.kiln.processor.layers.RecurrentLayer.Cell;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code @LSTM}, {@code @GRU}, {@code @SimpleRNN}: the time loop lives in the runtime's {@code
 * Recurrent} kernels (a loop unrolled into generated methods would pass HotSpot's method-size
 * limit). Forward: the input projection of every step, one recurrent product per step and the gate
 * math, then the outputs copied out of the states. Backward: the gate gradients through time, then
 * dW_ih = X^T dG, the bias sums and dx = dG W_ih^T as single products, dW_hh one product per sample.
 * Buffers (per sample): the gates [T, G], the states [T + 1, H] (slot 0 the zero initial state),
 * the gate gradients [T, G] and [H] scratch for the state gradients (these two in training programs
 * only). In the step program (T = 1) slot 0 is loaded from the carried state and slot 1 saved back.
 */
final class RecurrentEmitter implements LayerEmitter {
  private final RecurrentLayer spec;

  RecurrentEmitter(RecurrentLayer spec) {
    this.spec = spec;
  }

  private int steps(LayerContext layer) {
    return layer.inShape(0).dim(0);
  }

  private int features(LayerContext layer) {
    return layer.inShape(0).dim(1);
  }

  private static String code(ActivationFunction f) {
    return f.name(); // TANH, SIGMOID, RELU, LINEAR: Recurrent's constants of the same names
  }

  @Override
  public List<Buffer> buffers(LayerContext layer) {
    List<Buffer> buffers = new ArrayList<>(LayerEmitter.super.buffers(layer));
    int t = steps(layer);
    int h = spec.units();
    int g = spec.gateWidth();
    buffers.add(Buffer.perSample(layer.member("Gates"), String.valueOf(t * g)));
    buffers.add(Buffer.perSample(layer.member("States"), String.valueOf((t + 1) * h)));
    // Gradient-side buffers only in training programs (serving and step programs get empty arrays).
    buffers.add(Buffer.gradient(layer.member("GatesGrad"), String.valueOf(t * g)));
    buffers.add(Buffer.gradient(layer.member("StateGrad"), String.valueOf(h)));
    if (spec.cell() == Cell.LSTM) {
      buffers.add(Buffer.perSample(layer.member("Cells"), String.valueOf((t + 1) * h)));
      buffers.add(Buffer.gradient(layer.member("CellGrad"), String.valueOf(h)));
    } else if (spec.cell() == Cell.GRU) {
      buffers.add(Buffer.perSample(layer.member("HiddenGates"), String.valueOf(t * g)));
      buffers.add(Buffer.gradient(layer.member("HiddenGatesGrad"), String.valueOf(t * g)));
    }
    return buffers;
  }

  @Override
  public CodeBlock afterInitialize(LayerContext layer) {
    if (spec.cell() == Cell.LSTM && spec.unitForgetBias()) {
      // unitForgetBias: the forget gate's bias (the second of the i, f, g, o blocks) starts at 1
      return CodeBlock.of("$T.constant(params, $L + $L, $L, 1f)", RuntimeNames.INITIALIZERS, layer.offset("bias"),
          spec.units(), spec.units());
    }
    return null;
  }

  @Override
  public CodeBlock forward(LayerContext layer) {
    int t = steps(layer);
    int h = spec.units();
    String states = layer.member("States");
    // In the step program the sequence starts from the carried states and ends by writing them back.
    String hidden = layer.carriedState("hidden", h);
    String cell = spec.cell() == Cell.LSTM ? layer.carriedState("cell", h) : null;
    CodeBlock.Builder code = CodeBlock.builder();
    code.add(initialState(t, h, states, hidden));
    switch (spec.cell()) {
      case LSTM:
        code.add(initialState(t, h, layer.member("Cells"), cell));
        code.add("$T.lstmForward(GEMM, n, $L, $L, $L, $T.$L, $T.$L, $L, 0, params, $L, $L, $L, $L, $L, $L);\n",
            RuntimeNames.RECURRENT, t, features(layer), h, RuntimeNames.RECURRENT, code(spec.function()),
            RuntimeNames.RECURRENT, code(spec.gateFunction()), layer.in(0), layer.offset("weight_ih_l0"),
            layer.offset("weight_hh_l0"), layer.offset("bias"), layer.member("Gates"), states,
            layer.member("Cells"));
        break;
      case GRU:
        code.add("$T.gruForward(GEMM, n, $L, $L, $L, $T.$L, $T.$L, $L, 0, params, $L, $L, $L, $L, $L, $L, $L);\n",
            RuntimeNames.RECURRENT, t, features(layer), h, RuntimeNames.RECURRENT, code(spec.function()),
            RuntimeNames.RECURRENT, code(spec.gateFunction()), layer.in(0), layer.offset("weight_ih_l0"),
            layer.offset("weight_hh_l0"), layer.offset("bias_ih_l0"), layer.offset("bias_hh_l0"),
            layer.member("Gates"), layer.member("HiddenGates"), states);
        break;
      default:
        code.add("$T.rnnForward(GEMM, n, $L, $L, $L, $T.$L, $L, 0, params, $L, $L, $L, $L, $L);\n",
            RuntimeNames.RECURRENT, t, features(layer), h, RuntimeNames.RECURRENT, code(spec.function()),
            layer.in(0), layer.offset("weight_ih_l0"), layer.offset("weight_hh_l0"), layer.offset("bias"),
            layer.member("Gates"), states);
    }
    if (hidden != null) {
      code.add("$T.saveState(n, $L, $L, $L, $L);\n", RuntimeNames.RECURRENT, t, h, states, hidden);
    }
    if (cell != null) {
      code.add("$T.saveState(n, $L, $L, $L, $L);\n", RuntimeNames.RECURRENT, t, h, layer.member("Cells"), cell);
    }
    code.add("$T.outputs(n, $L, $L, $L, $L, $L);\n", RuntimeNames.RECURRENT, t, h, states, layer.out(),
        spec.returnSequences());
    return code.build();
  }

  /** Slot 0 of a state buffer: zero for a whole sequence, the carried state in the step program. */
  private static CodeBlock initialState(int steps, int units, String states, String carried) {
    if (carried == null) {
      return CodeBlock.of("$T.zeroInitialState(n, $L, $L, $L);\n", RuntimeNames.RECURRENT, steps, units, states);
    }
    return CodeBlock.of("$T.loadState(n, $L, $L, $L, $L);\n", RuntimeNames.RECURRENT, steps, units, carried, states);
  }

  @Override
  public CodeBlock backward(LayerContext layer) {
    int t = steps(layer);
    int h = spec.units();
    int g = spec.gateWidth();
    int f = features(layer);
    String states = layer.member("States");
    String dGates = layer.member("GatesGrad");
    // For the GRU the recurrent product's gradient differs from the input projection's.
    String dHidden = spec.cell() == Cell.GRU ? layer.member("HiddenGatesGrad") : dGates;
    CodeBlock.Builder code = CodeBlock.builder();
    switch (spec.cell()) {
      case LSTM:
        code.add("$T.lstmBackward(GEMM, n, $L, $L, $T.$L, $T.$L, params, $L, $L, $L, $L, $L, $L, $L, $L, $L);\n",
            RuntimeNames.RECURRENT, t, h, RuntimeNames.RECURRENT, code(spec.function()), RuntimeNames.RECURRENT,
            code(spec.gateFunction()), layer.offset("weight_hh_l0"), layer.member("Gates"), states,
            layer.member("Cells"), layer.grad(), spec.returnSequences(), dGates, layer.member("StateGrad"),
            layer.member("CellGrad"));
        break;
      case GRU:
        code.add("$T.gruBackward(GEMM, n, $L, $L, $T.$L, $T.$L, params, $L, $L, $L, $L, $L, $L, $L, $L, $L);\n",
            RuntimeNames.RECURRENT, t, h, RuntimeNames.RECURRENT, code(spec.function()), RuntimeNames.RECURRENT,
            code(spec.gateFunction()), layer.offset("weight_hh_l0"), layer.member("Gates"),
            layer.member("HiddenGates"), states, layer.grad(), spec.returnSequences(), dGates, dHidden,
            layer.member("StateGrad"));
        break;
      default:
        code.add("$T.rnnBackward(GEMM, n, $L, $L, $T.$L, params, $L, $L, $L, $L, $L, $L);\n",
            RuntimeNames.RECURRENT, t, h, RuntimeNames.RECURRENT, code(spec.function()),
            layer.offset("weight_hh_l0"), states, layer.grad(), spec.returnSequences(), dGates,
            layer.member("StateGrad"));
    }
    String rows = "n * " + t;
    CodeBlock.Builder parameters = CodeBlock.builder();
    parameters.add(GemmCalls.gemmTransA(String.valueOf(f), String.valueOf(g), rows,
        GemmCalls.of(layer.in(0), "0", String.valueOf(f)), GemmCalls.of(dGates, "0", String.valueOf(g)),
        GemmCalls.of("grads", layer.offset("weight_ih_l0"), String.valueOf(g)), false));
    parameters.add("$T.recurrentWeightGradient(GEMM, n, $L, $L, $L, $L, $L, grads, $L, false);\n",
        RuntimeNames.RECURRENT, t, h, g, states, dHidden, layer.offset("weight_hh_l0"));
    if (spec.cell() == Cell.GRU) {
      parameters.add("K.sumColumns($L, $L, $L, 0, grads, $L, false);\n", rows, g, dGates, layer.offset("bias_ih_l0"));
      parameters.add("K.sumColumns($L, $L, $L, 0, grads, $L, false);\n", rows, g, dHidden,
          layer.offset("bias_hh_l0"));
    } else {
      parameters.add("K.sumColumns($L, $L, $L, 0, grads, $L, false);\n", rows, g, dGates, layer.offset("bias"));
    }
    code.add(layer.parameterGradients(parameters.build()));
    code.add(layer.inputGradientAdding(0, (target, accumulate) -> GemmCalls.gemmTransB(rows, String.valueOf(f),
        String.valueOf(g), GemmCalls.of(dGates, "0", String.valueOf(g)),
        GemmCalls.of("params", layer.offset("weight_ih_l0"), String.valueOf(g)),
        GemmCalls.of(target, "0", String.valueOf(f)), accumulate)));
    return code.build();
  }
}
