package dev.kiln.processor.emit;

import com.palantir.javapoet.CodeBlock;
import dev.kiln.annotations.Loss;
import dev.kiln.processor.model.LayerPlan;
import dev.kiln.processor.model.NetworkPlan;

/**
 * The loss call. With a fused output (softmax + cross-entropy, sigmoid + binary cross-entropy) the
 * loss reads the logits and writes the gradient with respect to them; otherwise it reads the
 * output and writes the gradient with respect to it.
 */
final class LossEmitter {
  private LossEmitter() {}

  /** The loss of the last forward pass; {@code withGradient} also writes the gradient. */
  static CodeBlock call(NetworkPlan network, boolean withGradient) {
    LayerPlan output = network.output();
    String out = Buffers.out(output);
    Loss loss = network.spec().loss();
    if (output.lossFused()) {
      // A Dense output holds its logits in xPre; an Activation output reads them from its input.
      boolean dense = Buffers.hasPreActivation(output);
      String logits = dense ? Buffers.pre(output) : Buffers.in(output);
      String grad = !withGradient ? "null" : dense ? Buffers.preGrad(output) : Buffers.inGrad(output);
      float invT = ActivationCalls.invTemperature(network.outputActivation());
      CodeBlock target = target(network);
      switch (loss) {
        case CATEGORICAL_CROSSENTROPY:
          return CodeBlock.of("$T.softmaxCrossEntropy(n, OUTPUT_SIZE, $Lf, $L, $L, $L, $L)",
              RuntimeNames.LOSSES, invT, logits, out, target, grad);
        case SPARSE_CATEGORICAL_CROSSENTROPY:
          return CodeBlock.of("$T.sparseSoftmaxCrossEntropy(n, OUTPUT_SIZE, $Lf, $L, $L, $L, $L)",
              RuntimeNames.LOSSES, invT, logits, out, target, grad);
        case BINARY_CROSSENTROPY:
          return CodeBlock.of("$T.sigmoidBinaryCrossEntropy(n, OUTPUT_SIZE, $L, $L, $L, $L)",
              RuntimeNames.LOSSES, logits, out, target, grad);
        default:
          throw new IllegalStateException("no fused form of " + loss);
      }
    }
    String grad = withGradient ? Buffers.grad(output) : "null";
    return CodeBlock.of("$T.$L(n, OUTPUT_SIZE, $L, $L, $L)", RuntimeNames.LOSSES, method(loss), out, target(network),
        grad);
  }

  /** The target argument: {@code target}, followed by the label smoothing when there is some. */
  private static CodeBlock target(NetworkPlan network) {
    double smoothing = network.spec().labelSmoothing();
    return smoothing > 0 ? CodeBlock.of("target, $Lf", (float) smoothing) : CodeBlock.of("target");
  }

  private static String method(Loss loss) {
    switch (loss) {
      case MEAN_SQUARED_ERROR:
        return "meanSquaredError";
      case MEAN_ABSOLUTE_ERROR:
        return "meanAbsoluteError";
      case BINARY_CROSSENTROPY:
        return "binaryCrossEntropy";
      case CATEGORICAL_CROSSENTROPY:
        return "categoricalCrossEntropy";
      case SPARSE_CATEGORICAL_CROSSENTROPY:
        return "sparseCategoricalCrossEntropy";
      default:
        throw new IllegalStateException("no loss method for " + loss);
    }
  }

  /** Keras's name of the loss, shown in progress lines. */
  static String kerasName(Loss loss) {
    return loss.name().toLowerCase(java.util.Locale.ROOT);
  }

  /** The accuracy metric the loss implies. */
  static String accuracy(Loss loss) {
    switch (loss) {
      case BINARY_CROSSENTROPY:
        return "BINARY";
      case CATEGORICAL_CROSSENTROPY:
        return "CATEGORICAL";
      case SPARSE_CATEGORICAL_CROSSENTROPY:
        return "SPARSE_CATEGORICAL";
      default:
        return "NONE";
    }
  }
}
