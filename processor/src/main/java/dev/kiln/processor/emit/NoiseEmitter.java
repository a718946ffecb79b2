package dev.kiln.processor.emit;

import com.palantir.javapoet.CodeBlock;
import dev.kiln.processor.model.DropoutSpec;
import dev.kiln.processor.model.GaussianNoiseSpec;
import dev.kiln.processor.model.LayerPlan;
import dev.kiln.processor.model.NetworkPlan;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code @Dropout} and {@code @GaussianNoise}: active in training only. Their output is a view:
 * in training it points at their own buffer, at inference at their input, so inference pays no
 * copy for them.
 */
final class NoiseEmitter implements LayerEmitter {
  @Override
  public List<String> extraBuffers(LayerPlan layer) {
    return List.of();
  }

  @Override
  public List<Buffer> buffers(NetworkPlan network, LayerPlan layer) {
    String perBatch = "maxBatch * " + Buffers.size(layer);
    String storage = layer.name() + (isDropout(layer) ? "Kept" : "Noisy");
    List<Buffer> buffers = new ArrayList<>();
    buffers.add(Buffer.owned(storage, perBatch));
    buffers.add(Buffer.view(Buffers.out(layer), storage));
    if (isDropout(layer)) {
      buffers.add(Buffer.owned(mask(layer), perBatch));
    }
    if (Buffers.needsGrad(network, layer)) {
      buffers.add(Buffer.owned(Buffers.grad(layer), perBatch));
    }
    return buffers;
  }

  @Override
  public CodeBlock initialize(LayerPlan layer) {
    return CodeBlock.of("");
  }

  @Override
  public CodeBlock forward(LayerPlan layer) {
    String width = Buffers.size(layer);
    String in = Buffers.in(layer);
    CodeBlock.Builder code = CodeBlock.builder().beginControlFlow("if (training)");
    if (layer.spec() instanceof DropoutSpec dropout) {
      code.addStatement("$T.dropout(n * $L, $Lf, noise, $L, 0, $LKept, 0, $L, 0)",
          RuntimeNames.NOISE, width, (float) dropout.rate(), in, layer.name(), mask(layer));
      code.addStatement("$L = $LKept", Buffers.out(layer), layer.name());
    } else {
      GaussianNoiseSpec noise = (GaussianNoiseSpec) layer.spec();
      code.addStatement("$T.gaussian(n * $L, $Lf, noise, $L, 0, $LNoisy, 0)",
          RuntimeNames.NOISE, width, (float) noise.stddev(), in, layer.name());
      code.addStatement("$L = $LNoisy", Buffers.out(layer), layer.name());
    }
    return code.nextControlFlow("else")
        .add("// Identity at inference: the next layer reads this layer's input directly.\n")
        .addStatement("$L = $L", Buffers.out(layer), in)
        .endControlFlow()
        .build();
  }

  @Override
  public CodeBlock backward(NetworkPlan network, LayerPlan layer) {
    if (layer.isFirst()) {
      return CodeBlock.of("// First layer: no gradient with respect to the network input is needed.\n");
    }
    String width = Buffers.size(layer);
    if (isDropout(layer)) {
      return CodeBlock.of("$T.multiply(n * $L, $L, 0, $L, 0, $L, 0);\n",
          RuntimeNames.NOISE, width, Buffers.grad(layer), mask(layer), Buffers.inGrad(layer));
    }
    return CodeBlock.of("$T.arraycopy($L, 0, $L, 0, n * $L);\n",
        System.class, Buffers.grad(layer), Buffers.inGrad(layer), width);
  }

  private static boolean isDropout(LayerPlan layer) {
    return layer.spec() instanceof DropoutSpec;
  }

  private static String mask(LayerPlan layer) {
    return layer.name() + "Mask";
  }
}
