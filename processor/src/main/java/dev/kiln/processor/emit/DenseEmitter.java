package dev.kiln.processor.emit;

import com.palantir.javapoet.CodeBlock;
import dev.kiln.annotations.Initializer;
import dev.kiln.processor.model.DenseSpec;
import dev.kiln.processor.model.LayerPlan;
import dev.kiln.processor.model.NetworkPlan;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code @Dense}: z = x W + b, y = f(z), W kept [inputs][units]. Forward is one GEMM, the bias
 * add and the activation; backward is the activation's derivative, dW = x^T dz, db = column sums
 * of dz, and dx = dz W^T unless this is the first layer.
 */
final class DenseEmitter implements LayerEmitter {
  @Override
  public List<String> extraBuffers(LayerPlan layer) {
    List<String> buffers = new ArrayList<>();
    if (Buffers.hasPreActivation(layer)) {
      buffers.add(Buffers.pre(layer));
      buffers.add(Buffers.preGrad(layer));
    }
    return buffers;
  }

  @Override
  public CodeBlock initialize(LayerPlan layer) {
    DenseSpec dense = (DenseSpec) layer.spec();
    CodeBlock.Builder code = CodeBlock.builder();
    String weight = Buffers.offset(layer, "weight");
    String inputs = inputWidth(layer);
    String units = Buffers.size(layer);
    code.add(init(dense.kernelInit(), dense.kernelInitValue(), weight, CodeBlock.of("$L * $L", inputs, units), inputs, units));
    if (dense.useBias()) {
      code.add(init(dense.biasInit(), dense.biasInitValue(), Buffers.offset(layer, "bias"), CodeBlock.of("$L", units),
          inputs, units));
    }
    return code.build();
  }

  private static CodeBlock init(
      Initializer init, double value, String offset, CodeBlock count, String fanIn, String fanOut) {
    switch (init) {
      case HE_NORMAL:
        return CodeBlock.of("$T.heNormal(random, params, $L, $L, $L);\n", RuntimeNames.INITIALIZERS, offset, count, fanIn);
      case HE_UNIFORM:
        return CodeBlock.of("$T.heUniform(random, params, $L, $L, $L);\n", RuntimeNames.INITIALIZERS, offset, count, fanIn);
      case LECUN_NORMAL:
        return CodeBlock.of("$T.lecunNormal(random, params, $L, $L, $L);\n", RuntimeNames.INITIALIZERS, offset, count, fanIn);
      case GLOROT_NORMAL:
        return CodeBlock.of("$T.glorotNormal(random, params, $L, $L, $L, $L);\n",
            RuntimeNames.INITIALIZERS, offset, count, fanIn, fanOut);
      case GLOROT_UNIFORM:
        return CodeBlock.of("$T.glorotUniform(random, params, $L, $L, $L, $L);\n",
            RuntimeNames.INITIALIZERS, offset, count, fanIn, fanOut);
      case ZEROS:
        return CodeBlock.of("$T.constant(params, $L, $L, 0f);\n", RuntimeNames.INITIALIZERS, offset, count);
      case ONES:
        return CodeBlock.of("$T.constant(params, $L, $L, 1f);\n", RuntimeNames.INITIALIZERS, offset, count);
      case CONSTANT:
        return CodeBlock.of("$T.constant(params, $L, $L, $Lf);\n", RuntimeNames.INITIALIZERS, offset, count, (float) value);
      default:
        throw new IllegalStateException("no initializer code for " + init);
    }
  }

  @Override
  public CodeBlock forward(LayerPlan layer) {
    DenseSpec dense = (DenseSpec) layer.spec();
    String units = Buffers.size(layer);
    String pre = Buffers.pre(layer);
    CodeBlock.Builder code = CodeBlock.builder();
    code.add("GEMM.gemm(n, $L, $L, $L, 0, $L, params, $L, $L, $L, 0, $L, false);\n",
        units, inputWidth(layer), Buffers.in(layer), inputWidth(layer), Buffers.offset(layer, "weight"), units,
        pre, units);
    if (dense.useBias()) {
      code.add("K.addRowVector(n, $L, params, $L, $L, 0);\n", units, Buffers.offset(layer, "bias"), pre);
    }
    if (Buffers.hasPreActivation(layer)) {
      code.add(ActivationCalls.forward(dense.activation(), units, pre, Buffers.out(layer)));
    }
    return code.build();
  }

  @Override
  public CodeBlock backward(NetworkPlan network, LayerPlan layer) {
    DenseSpec dense = (DenseSpec) layer.spec();
    String units = Buffers.size(layer);
    String preGrad = Buffers.preGrad(layer);
    CodeBlock.Builder code = CodeBlock.builder();
    if (layer.lossFused()) {
      code.add("// The loss wrote the gradient with respect to the logits into $L.\n", preGrad);
    } else if (Buffers.hasPreActivation(layer)) {
      code.add(ActivationCalls.backward(dense.activation(), units, Buffers.pre(layer), Buffers.out(layer),
          Buffers.grad(layer), preGrad));
    }
    if (dense.trainable()) {
      code.add("GEMM.gemmTransA($L, $L, n, $L, 0, $L, $L, 0, $L, grads, $L, $L, false);\n",
          inputWidth(layer), units, Buffers.in(layer), inputWidth(layer), preGrad, units,
          Buffers.offset(layer, "weight"), units);
      if (dense.useBias()) {
        code.add("K.sumColumns(n, $L, $L, 0, grads, $L, false);\n", units, preGrad, Buffers.offset(layer, "bias"));
      }
    } else {
      code.add("// Frozen (trainable = false): no parameter gradients, only the gradient for earlier layers.\n");
    }
    if (!layer.isFirst()) {
      code.add("GEMM.gemmTransB(n, $L, $L, $L, 0, $L, params, $L, $L, $L, 0, $L, false);\n",
          inputWidth(layer), units, preGrad, units, Buffers.offset(layer, "weight"), units, Buffers.inGrad(layer),
          inputWidth(layer));
    }
    return code.build();
  }

  private static String inputWidth(LayerPlan layer) {
    return layer.isFirst() ? "INPUT_SIZE" : Buffers.size(layer.input());
  }
}
