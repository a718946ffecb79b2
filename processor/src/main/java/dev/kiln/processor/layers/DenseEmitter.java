package dev.kiln.processor.layers;

import com.palantir.javapoet.CodeBlock;
import dev.kiln.processor.emit.ActivationCalls;
import dev.kiln.processor.emit.Buffer;
import dev.kiln.processor.emit.GemmCalls;
import dev.kiln.processor.emit.LayerContext;
import dev.kiln.processor.emit.LayerEmitter;
import java.util.List;

/**
 * {@code @Dense}: forward is one GEMM over [rows x features], the bias add and the activation;
 * backward is the activation's derivative, dW = x^T dz, db = column sums of dz, and dx = dz W^T.
 * With an activation the layer keeps its pre-activation ({@code xPre}), which the derivatives of
 * GELU, swish and the others need.
 */
final class DenseEmitter implements LayerEmitter {
  private final DenseLayer spec;

  DenseEmitter(DenseLayer spec) {
    this.spec = spec;
  }

  private String pre(LayerContext layer) {
    return spec.activation().isLinear() ? layer.out() : layer.member("Pre");
  }

  private String preGrad(LayerContext layer) {
    return spec.activation().isLinear() ? layer.grad() : layer.member("PreGrad");
  }

  @Override
  public List<Buffer> buffers(LayerContext layer) {
    List<Buffer> buffers = new java.util.ArrayList<>(LayerEmitter.super.buffers(layer));
    if (!spec.activation().isLinear()) {
      buffers.add(Buffer.perSample(pre(layer), layer.width()));
      buffers.add(Buffer.gradient(preGrad(layer), layer.width()));
    }
    return buffers;
  }

  @Override
  public CodeBlock forward(LayerContext layer) {
    String pre = pre(layer);
    CodeBlock.Builder code = CodeBlock.builder();
    // Through CompiledNetwork: an inference snapshot may hold these weights as bfloat16, and a
    // sample alone skips the weight rows of zero inputs where its input often has them.
    code.add("$L($L, $L, $L, $L, $L, $L);\n",
        layer.inputHasZeros(0) ? "denseProductSkippingZeroInputs" : "denseProduct", layer.rows(), layer.features(),
        layer.inFeatures(0), layer.in(0), layer.offset("weight"), pre);
    if (spec.useBias()) {
      code.add("K.addRowVector($L, $L, params, $L, $L, 0);\n", layer.rows(), layer.features(), layer.offset("bias"),
          pre);
    }
    if (!spec.activation().isLinear()) {
      code.add(ActivationCalls.forward(spec.activation(), layer.rows(), layer.features(), pre, layer.out()));
    }
    return code.build();
  }

  @Override
  public CodeBlock backward(LayerContext layer) {
    String preGrad = preGrad(layer);
    CodeBlock.Builder code = CodeBlock.builder();
    CodeBlock activation = spec.activation().isLinear() ? null
        : ActivationCalls.backward(spec.activation(), layer.rows(), layer.features(), pre(layer), layer.out(),
            layer.grad(), preGrad);
    if (layer.lossFused()) {
      code.add("// From the loss: the loss wrote the logits gradient into $L. From a given output gradient: apply the derivative.\n", preGrad)
          .beginControlFlow("if (!lossGradient)")
          .add(activation)
          .endControlFlow();
    } else if (activation != null) {
      code.add(activation);
    }
    CodeBlock.Builder parameters = CodeBlock.builder();
    parameters.add(GemmCalls.gemmTransA(layer.inFeatures(0), layer.features(), layer.rows(),
        GemmCalls.of(layer.in(0), "0", layer.inFeatures(0)),
        GemmCalls.of(preGrad, "0", layer.features()),
        GemmCalls.of("grads", layer.offset("weight"), layer.features()), false));
    if (spec.useBias()) {
      parameters.add("K.sumColumns($L, $L, $L, 0, grads, $L, false);\n", layer.rows(), layer.features(), preGrad,
          layer.offset("bias"));
    }
    code.add(layer.parameterGradients(parameters.build()));
    code.add(layer.inputGradientAdding(0, (target, accumulate) -> GemmCalls.gemmTransB(layer.rows(),
        layer.inFeatures(0), layer.features(), GemmCalls.of(preGrad, "0", layer.features()),
        GemmCalls.of("params", layer.offset("weight"), layer.features()),
        GemmCalls.of(target, "0", layer.inFeatures(0)), accumulate)));
    return code.build();
  }

  @Override
  public String[] fusedLogits(LayerContext layer) {
    return new String[] {pre(layer), preGrad(layer)};
  }
}
