package dev.kiln.processor.emit;

import com.palantir.javapoet.CodeBlock;
import dev.kiln.processor.model.LayerPlan;
import dev.kiln.processor.model.NetworkPlan;
import java.util.ArrayList;
import java.util.List;

/**
 * Emits one layer kind's code. Each kind has one implementation; {@link #forKind} picks it. The
 * generated class gets one forward and one backward method per layer, so no method grows with the
 * network (HotSpot does not compile methods over 8,000 bytes of bytecode).
 */
interface LayerEmitter {
  /** Buffers the layer owns, beyond {@code <name>Out} and {@code <name>Grad}, each [maxBatch x width]. */
  List<String> extraBuffers(LayerPlan layer);

  /** Every buffer field the layer needs: by default its output, the extras and its gradient. */
  default List<Buffer> buffers(NetworkPlan network, LayerPlan layer) {
    String perBatch = "maxBatch * " + Buffers.size(layer);
    List<Buffer> buffers = new ArrayList<>();
    buffers.add(Buffer.owned(Buffers.out(layer), perBatch));
    for (String extra : extraBuffers(layer)) {
      buffers.add(Buffer.owned(extra, perBatch));
    }
    if (Buffers.needsGrad(network, layer)) {
      buffers.add(Buffer.owned(Buffers.grad(layer), perBatch));
    }
    return buffers;
  }

  /** Fills the layer's parameters from its initializers. */
  CodeBlock initialize(LayerPlan layer);

  /** Computes the layer's output from its input for the first {@code n} rows. */
  CodeBlock forward(LayerPlan layer);

  /**
   * Computes the parameter gradients and the gradient with respect to the input, from the gradient
   * with respect to the output (or, for a loss-fused output layer, the pre-activation).
   */
  CodeBlock backward(NetworkPlan network, LayerPlan layer);

  static LayerEmitter forKind(LayerPlan layer) {
    switch (layer.spec().typeName()) {
      case "Dense":
        return new DenseEmitter();
      case "Activation":
        return new ActivationEmitter();
      case "Dropout":
      case "GaussianNoise":
        return new NoiseEmitter();
      case "BatchNormalization":
      case "LayerNormalization":
        return new NormalizationEmitter();
      default:
        throw new IllegalStateException("no emitter for layer kind " + layer.spec().typeName());
    }
  }
}
