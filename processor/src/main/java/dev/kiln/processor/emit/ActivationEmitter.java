package dev.kiln.processor.emit;

import com.palantir.javapoet.CodeBlock;
import dev.kiln.processor.model.ActivationLayerSpec;
import dev.kiln.processor.model.LayerPlan;
import dev.kiln.processor.model.NetworkPlan;
import java.util.List;

/** {@code @Activation}: y = f(x), no parameters. */
final class ActivationEmitter implements LayerEmitter {
  @Override
  public List<String> extraBuffers(LayerPlan layer) {
    return List.of();
  }

  @Override
  public CodeBlock initialize(LayerPlan layer) {
    return CodeBlock.of("");
  }

  @Override
  public CodeBlock forward(LayerPlan layer) {
    ActivationLayerSpec spec = (ActivationLayerSpec) layer.spec();
    return ActivationCalls.forward(spec.activation(), Buffers.size(layer), Buffers.in(layer), Buffers.out(layer));
  }

  @Override
  public CodeBlock backward(NetworkPlan network, LayerPlan layer) {
    if (layer.lossFused()) {
      return CodeBlock.of("// The loss wrote the gradient with respect to the logits into $L.\n", Buffers.inGrad(layer));
    }
    if (layer.isFirst()) {
      return CodeBlock.of("// First layer: no gradient with respect to the network input is needed.\n");
    }
    ActivationLayerSpec spec = (ActivationLayerSpec) layer.spec();
    return ActivationCalls.backward(spec.activation(), Buffers.size(layer), Buffers.in(layer), Buffers.out(layer),
        Buffers.grad(layer), Buffers.inGrad(layer));
  }
}
