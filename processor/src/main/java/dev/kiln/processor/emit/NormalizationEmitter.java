package dev.kiln.processor.emit;

import com.palantir.javapoet.CodeBlock;
import dev.kiln.processor.model.LayerPlan;
import dev.kiln.processor.model.NetworkPlan;
import dev.kiln.processor.model.NormalizationSpec;
import java.util.List;

/**
 * {@code @BatchNorm} and {@code @LayerNorm}: one kernel call forward (batch norm picks batch or
 * moving statistics by {@code training}) and one backward, which also writes gamma's and beta's
 * gradients. x-hat and the inverse standard deviations are kept between the passes.
 */
final class NormalizationEmitter implements LayerEmitter {
  @Override
  public List<String> extraBuffers(LayerPlan layer) {
    return List.of(normalized(layer));
  }

  @Override
  public List<Buffer> buffers(NetworkPlan network, LayerPlan layer) {
    List<Buffer> buffers = new java.util.ArrayList<>(LayerEmitter.super.buffers(network, layer));
    // Batch norm: mean, 1/std and two column sums per feature; layer norm: 1/std per row.
    buffers.add(Buffer.owned(stats(layer), spec(layer).overBatch() ? "4 * " + Buffers.size(layer) : "maxBatch"));
    return buffers;
  }

  @Override
  public CodeBlock initialize(LayerPlan layer) {
    CodeBlock.Builder code = CodeBlock.builder();
    String width = Buffers.size(layer);
    for (LayerPlan.TensorPlan t : layer.tensors()) {
      float value = t.suffix().equals("weight") || t.suffix().equals("running_var") ? 1f : 0f;
      code.add("$T.constant(params, $L, $L, $Lf);\n", RuntimeNames.INITIALIZERS, Buffers.offset(layer, t.suffix()),
          width, value);
    }
    return code.build();
  }

  @Override
  public CodeBlock forward(LayerPlan layer) {
    NormalizationSpec spec = spec(layer);
    String width = Buffers.size(layer);
    if (!spec.overBatch()) {
      return CodeBlock.of("$T.layerNorm(n, $L, $L, params, $L, $L, $Lf, $L, $L, $L);\n", RuntimeNames.NORMALIZATION,
          width, Buffers.in(layer), gamma(layer), beta(layer), (float) spec.epsilon(), normalized(layer), stats(layer),
          Buffers.out(layer));
    }
    return CodeBlock.builder()
        .beginControlFlow("if (training)")
        .addStatement("$T.batchNormTraining(n, $L, $L, params, $L, $L, $L, $L, $Lf, $Lf, $L, $L, $L)",
            RuntimeNames.NORMALIZATION, width, Buffers.in(layer), gamma(layer), beta(layer),
            Buffers.offset(layer, "running_mean"), Buffers.offset(layer, "running_var"), (float) spec.momentum(),
            (float) spec.epsilon(), normalized(layer), stats(layer), Buffers.out(layer))
        .nextControlFlow("else")
        .addStatement("$T.batchNormInference(n, $L, $L, params, $L, $L, $L, $L, $Lf, $L, $L)",
            RuntimeNames.NORMALIZATION, width, Buffers.in(layer), gamma(layer), beta(layer),
            Buffers.offset(layer, "running_mean"), Buffers.offset(layer, "running_var"), (float) spec.epsilon(),
            stats(layer), Buffers.out(layer))
        .endControlFlow()
        .build();
  }

  @Override
  public CodeBlock backward(NetworkPlan network, LayerPlan layer) {
    String method = spec(layer).overBatch() ? "batchNormBackward" : "layerNormBackward";
    String inGrad = layer.isFirst() ? "null" : Buffers.inGrad(layer);
    return CodeBlock.of("$T.$L(n, $L, $L, $L, $L, params, $L, grads, $L, $L, $L);\n", RuntimeNames.NORMALIZATION,
        method, Buffers.size(layer), Buffers.grad(layer), normalized(layer), stats(layer), gamma(layer), gamma(layer),
        beta(layer), inGrad);
  }

  private static NormalizationSpec spec(LayerPlan layer) {
    return (NormalizationSpec) layer.spec();
  }

  private static String normalized(LayerPlan layer) {
    return layer.name() + "Normalized";
  }

  private static String stats(LayerPlan layer) {
    return layer.name() + "Stats";
  }

  /** gamma's offset constant, or -1 without scale. */
  private static String gamma(LayerPlan layer) {
    return spec(layer).scale() ? Buffers.offset(layer, "weight") : "-1";
  }

  /** beta's offset constant, or -1 without center. */
  private static String beta(LayerPlan layer) {
    return spec(layer).center() ? Buffers.offset(layer, "bias") : "-1";
  }
}
