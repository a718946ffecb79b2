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
  static CodeBlock call(ModelEmitter names, NetworkPlan network, boolean withGradient) {
    LayerPlan output = network.output();
    String out = names.out(output);
    String rows = names.rows(output);
    Loss loss = network.spec().loss();
    if (output.lossFused()) {
      // The output layer's emitter says where its logits are (a Dense layer's pre-activation, an
      // Activation layer's input) and where their gradient goes.
      String[] logitsAndGradient = output.spec().emitter().fusedLogits(names.context(output));
      String logits = logitsAndGradient[0];
      String grad = withGradient ? logitsAndGradient[1] : "null";
      float invT = ActivationCalls.invTemperature(output.spec().activation());
      CodeBlock target = target(network);
      switch (loss) {
        case CATEGORICAL_CROSSENTROPY:
          return CodeBlock.of("$T.softmaxCrossEntropy($L, $L, $Lf, $L, $L, $L, $L)",
              RuntimeNames.LOSSES, rows, names.features(output), invT, logits, out, target, grad);
        case SPARSE_CATEGORICAL_CROSSENTROPY:
          return CodeBlock.of("$T.sparseSoftmaxCrossEntropy($L, $L, $Lf, $L, $L, $L, $L)",
              RuntimeNames.LOSSES, rows, names.features(output), invT, logits, out, target, grad);
        case BINARY_CROSSENTROPY:
          return CodeBlock.of("$T.sigmoidBinaryCrossEntropy($L, $L, $L, $L, $L, $L)",
              RuntimeNames.LOSSES, rows, names.features(output), logits, out, target, grad);
        default:
          throw new IllegalStateException("no fused form of " + loss);
      }
    }
    String grad = withGradient ? names.grad(output) : "null";
    if (network.spec().fromLogits()) {
      // A LINEAR output holds the logits: the loss applies softmax or sigmoid itself, and its
      // gradient with respect to the logits is the output's gradient.
      return CodeBlock.of("$T.$L($L, $L, $L, $L, $L)", RuntimeNames.LOSSES, fromLogitsMethod(loss), rows,
          names.features(output), out, target(network), grad);
    }
    return CodeBlock.of("$T.$L($L, $L, $L, $L, $L)", RuntimeNames.LOSSES, method(loss), rows, names.features(output),
        out, target(network), grad);
  }

  /**
   * The target arguments: {@code target}, the label smoothing when there is some, and the per-row
   * loss weights ({@code lossWeights}, null unless the engine weights the batch).
   */
  private static CodeBlock target(NetworkPlan network) {
    double smoothing = network.spec().labelSmoothing();
    return smoothing > 0 ? CodeBlock.of("target, $Lf, lossWeights", (float) smoothing)
        : CodeBlock.of("target, lossWeights");
  }

  private static String fromLogitsMethod(Loss loss) {
    switch (loss) {
      case CATEGORICAL_CROSSENTROPY:
        return "softmaxCrossEntropyFromLogits";
      case SPARSE_CATEGORICAL_CROSSENTROPY:
        return "sparseSoftmaxCrossEntropyFromLogits";
      case BINARY_CROSSENTROPY:
        return "sigmoidBinaryCrossEntropyFromLogits";
      default:
        throw new IllegalStateException("no from-logits form of " + loss);
    }
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

  /** The loss's name in the network's info: Keras's, marked {@code (from logits)} when it reads logits. */
  static String infoName(dev.kiln.processor.model.NetworkSpec spec) {
    return kerasName(spec.loss()) + (spec.fromLogits() ? " (from logits)" : "");
  }

  /** The accuracy metric the loss implies (binary accuracy on logits thresholds at 0). */
  static String accuracy(dev.kiln.processor.model.NetworkSpec spec) {
    return spec.fromLogits() && spec.loss() == Loss.BINARY_CROSSENTROPY ? "BINARY_LOGITS" : accuracy(spec.loss());
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
