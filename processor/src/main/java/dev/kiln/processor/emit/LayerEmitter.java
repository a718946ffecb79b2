package dev.kiln.processor.emit;

import com.palantir.javapoet.CodeBlock;
import java.util.ArrayList;
import java.util.List;

/**
 * Emits one layer kind's code; each kind's spec returns its emitter. The generated class gets one
 * forward and one backward method per layer, so no method grows with the network (HotSpot does not
 * compile methods over 8,000 bytes of bytecode). Names come from the {@link LayerContext}.
 */
public interface LayerEmitter {
  /** Every buffer field the layer needs: by default its output and the gradient with respect to it (training only). */
  default List<Buffer> buffers(LayerContext layer) {
    List<Buffer> buffers = new ArrayList<>();
    buffers.add(Buffer.perSample(layer.out(), layer.width()));
    buffers.add(Buffer.gradient(layer.grad(), layer.width()));
    return buffers;
  }

  /**
   * Static constants of the Program this layer's code uses (a convolution's geometry object), named
   * with {@link LayerContext#member}.
   */
  default List<com.palantir.javapoet.FieldSpec> constants(LayerContext layer) {
    return List.of();
  }

  /**
   * A statement run after the layer's tensors got their initializers (an LSTM sets its forget
   * gate's bias to 1, Keras's {@code unit_forget_bias}), or null for none.
   */
  default CodeBlock afterInitialize(LayerContext layer) {
    return null;
  }

  /** Computes the layer's output from its inputs for the first {@code n} samples. */
  CodeBlock forward(LayerContext layer);

  /**
   * From the gradient with respect to the layer's output ({@link LayerContext#grad()}; for a
   * loss-fused output layer, the logits gradient the loss wrote), computes the parameter
   * gradients (inside {@link LayerContext#parameterGradients}) and the gradient with respect to
   * each input (through {@link LayerContext#inputGradient}).
   */
  CodeBlock backward(LayerContext layer);

  /**
   * For a loss-fused output layer (softmax or sigmoid with cross-entropy): the buffers holding the
   * logits and their gradient, which the loss reads and writes.
   */
  default String[] fusedLogits(LayerContext layer) {
    throw new IllegalStateException(layer.layer().spec().typeName() + " cannot end a loss-fused network");
  }
}
