package dev.kiln.processor.emit;

import com.palantir.javapoet.CodeBlock;
import dev.kiln.processor.model.ActivationSpec;

/**
 * The kernel calls for an activation's forward and backward pass over [rows x cols] buffers;
 * softmax works on each row.
 */
public final class ActivationCalls {
  private ActivationCalls() {}

  /** {@code to = f(from)}. */
  public static CodeBlock forward(ActivationSpec a, String rows, String cols, String from, String to) {
    String count = rows + " * " + cols;
    switch (a.function()) {
      case LINEAR:
        return CodeBlock.of("$T.arraycopy($L, 0, $L, 0, $L);\n", System.class, from, to, count);
      case SOFTMAX:
        return CodeBlock.of("K.softmax($L, $L, $Lf, $L, 0, $L, 0);\n", rows, cols, invTemperature(a), from, to);
      case LEAKY_RELU:
      case ELU:
        return CodeBlock.of("K.$L($L, $Lf, $L, 0, $L, 0);\n", kernel(a), count, (float) a.alpha(), from, to);
      default:
        return CodeBlock.of("K.$L($L, $L, 0, $L, 0);\n", kernel(a), count, from, to);
    }
  }

  /** {@code fromGrad = toGrad * f'(from)}, given the forward pass's {@code from} and {@code to}. */
  public static CodeBlock backward(
      ActivationSpec a, String rows, String cols, String from, String to, String toGrad, String fromGrad) {
    String count = rows + " * " + cols;
    switch (a.function()) {
      case LINEAR:
        return CodeBlock.of("$T.arraycopy($L, 0, $L, 0, $L);\n", System.class, toGrad, fromGrad, count);
      case SOFTMAX:
        return CodeBlock.of(
            "K.softmaxBackward($L, $L, $Lf, $L, 0, $L, 0, $L, 0);\n", rows, cols, invTemperature(a), to, toGrad, fromGrad);
      case LEAKY_RELU:
      case ELU:
        return CodeBlock.of("K.$LBackward($L, $Lf, $L, 0, $L, 0, $L, 0, $L, 0);\n",
            kernel(a), count, (float) a.alpha(), from, to, toGrad, fromGrad);
      default:
        return CodeBlock.of("K.$LBackward($L, $L, 0, $L, 0, $L, 0, $L, 0);\n",
            kernel(a), count, from, to, toGrad, fromGrad);
    }
  }

  public static float invTemperature(ActivationSpec a) {
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
