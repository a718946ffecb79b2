package dev.kiln.processor.emit;

import com.palantir.javapoet.CodeBlock;
import dev.kiln.processor.model.ActivationSpec;

/** The kernel calls for an activation's forward and backward pass, over [n][width] buffers. */
final class ActivationCalls {
  private ActivationCalls() {}

  /** {@code to = f(from)}. */
  static CodeBlock forward(ActivationSpec a, String width, String from, String to) {
    switch (a.function()) {
      case LINEAR:
        return CodeBlock.of("$T.arraycopy($L, 0, $L, 0, n * $L);\n", System.class, from, to, width);
      case SOFTMAX:
        return CodeBlock.of("K.softmax(n, $L, $Lf, $L, 0, $L, 0);\n", width, invTemperature(a), from, to);
      case LEAKY_RELU:
      case ELU:
        return CodeBlock.of("K.$L(n * $L, $Lf, $L, 0, $L, 0);\n", kernel(a), width, (float) a.alpha(), from, to);
      default:
        return CodeBlock.of("K.$L(n * $L, $L, 0, $L, 0);\n", kernel(a), width, from, to);
    }
  }

  /** {@code fromGrad = toGrad * f'(from)}, given the forward pass's {@code from} and {@code to}. */
  static CodeBlock backward(ActivationSpec a, String width, String from, String to, String toGrad, String fromGrad) {
    switch (a.function()) {
      case LINEAR:
        return CodeBlock.of("$T.arraycopy($L, 0, $L, 0, n * $L);\n", System.class, toGrad, fromGrad, width);
      case SOFTMAX:
        return CodeBlock.of(
            "K.softmaxBackward(n, $L, $Lf, $L, 0, $L, 0, $L, 0);\n", width, invTemperature(a), to, toGrad, fromGrad);
      case LEAKY_RELU:
      case ELU:
        return CodeBlock.of("K.$LBackward(n * $L, $Lf, $L, 0, $L, 0, $L, 0, $L, 0);\n",
            kernel(a), width, (float) a.alpha(), from, to, toGrad, fromGrad);
      default:
        return CodeBlock.of("K.$LBackward(n * $L, $L, 0, $L, 0, $L, 0, $L, 0);\n",
            kernel(a), width, from, to, toGrad, fromGrad);
    }
  }

  static float invTemperature(ActivationSpec a) {
    return (float) (1.0 / a.temperature());
  }

  /** The Elementwise method name: {@code GELU_TANH} -> {@code geluTanh}. */
  private static String kernel(ActivationSpec a) {
    String[] parts = a.function().name().toLowerCase(java.util.Locale.ROOT).split("_");
    StringBuilder name = new StringBuilder(parts[0]);
    for (int i = 1; i < parts.length; i++) {
      name.append(Character.toUpperCase(parts[i].charAt(0))).append(parts[i].substring(1));
    }
    return name.toString();
  }
}
