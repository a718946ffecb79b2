package dev.kiln.runtime.training;

import dev.kiln.runtime.LayerInfo;
import dev.kiln.runtime.NetworkInfo;
import dev.kiln.runtime.TensorSlice;

/**
 * Limits the gradient before each optimizer step, as Keras's optimizer arguments: {@link #byValue}
 * ({@code clipvalue}) bounds every component, {@link #byNorm} ({@code clipnorm}) rescales each
 * parameter tensor whose L2 norm exceeds the limit, {@link #byGlobalNorm} ({@code
 * global_clipnorm}) rescales the whole gradient when its joint L2 norm exceeds the limit. A
 * rescaled gradient keeps its direction: {@code g * limit / norm}. Gradients within the limit are
 * left bit for bit as they are. Norms are summed in double.
 *
 * <p>{@code fit} applies it to the flat gradient array after the backward pass; {@link #clip}
 * allocates nothing. NaN components stay NaN: clipping does not rescue a diverged gradient.
 */
public final class GradientClipping {
  /** What the limit bounds. */
  public enum Kind {
    VALUE,
    NORM,
    GLOBAL_NORM
  }

  private final Kind kind;
  private final float limit;

  private GradientClipping(Kind kind, float limit, String factory) {
    if (!(limit > 0) || Float.isInfinite(limit)) {
      throw new IllegalArgumentException(
          "GradientClipping." + factory + " limit must be finite and > 0, was " + limit);
    }
    this.kind = kind;
    this.limit = limit;
  }

  /** Clamps every gradient component to {@code [-limit, limit]}. */
  public static GradientClipping byValue(float limit) {
    return new GradientClipping(Kind.VALUE, limit, "byValue");
  }

  /** Rescales each parameter tensor's gradient to L2 norm at most {@code maxNorm}. */
  public static GradientClipping byNorm(float maxNorm) {
    return new GradientClipping(Kind.NORM, maxNorm, "byNorm");
  }

  /** Rescales the whole gradient to joint L2 norm at most {@code maxNorm}. */
  public static GradientClipping byGlobalNorm(float maxNorm) {
    return new GradientClipping(Kind.GLOBAL_NORM, maxNorm, "byGlobalNorm");
  }

  public Kind kind() {
    return kind;
  }

  public float limit() {
    return limit;
  }

  /** Start of each parameter tensor in the flat array, in save order; computed once per fit. */
  public static int[] tensorOffsets(NetworkInfo info) {
    int[] offsets = new int[tensorCount(info)];
    int i = 0;
    for (LayerInfo layer : info.layers()) {
      for (TensorSlice slice : layer.tensors()) {
        offsets[i++] = slice.offset();
      }
    }
    return offsets;
  }

  /** Size of each parameter tensor, matching {@link #tensorOffsets}. */
  public static int[] tensorSizes(NetworkInfo info) {
    int[] sizes = new int[tensorCount(info)];
    int i = 0;
    for (LayerInfo layer : info.layers()) {
      for (TensorSlice slice : layer.tensors()) {
        sizes[i++] = slice.size();
      }
    }
    return sizes;
  }

  private static int tensorCount(NetworkInfo info) {
    int count = 0;
    for (LayerInfo layer : info.layers()) {
      count += layer.tensors().size();
    }
    return count;
  }

  /**
   * Clips {@code gradients} in place. {@code tensorOffsets} and {@code tensorSizes} delimit the
   * tensors that {@link #byNorm} clips one by one; the other kinds treat the whole array as one.
   */
  public void clip(float[] gradients, int[] tensorOffsets, int[] tensorSizes) {
    switch (kind) {
      case VALUE:
        clipValues(gradients, limit);
        break;
      case NORM:
        for (int t = 0; t < tensorOffsets.length; t++) {
          clipNorm(gradients, tensorOffsets[t], tensorOffsets[t] + tensorSizes[t], limit);
        }
        break;
      case GLOBAL_NORM:
        clipNorm(gradients, 0, gradients.length, limit);
        break;
      default:
        throw new AssertionError(kind);
    }
  }

  private static void clipValues(float[] g, float limit) {
    float low = -limit;
    for (int i = 0; i < g.length; i++) {
      g[i] = Math.min(Math.max(g[i], low), limit);
    }
  }

  private static void clipNorm(float[] g, int from, int to, float maxNorm) {
    double norm = Math.sqrt(sumOfSquares(g, from, to));
    if (norm > maxNorm) {
      double scale = maxNorm / norm;
      for (int i = from; i < to; i++) {
        g[i] = (float) (g[i] * scale);
      }
    }
  }

  /** Four partial sums, so the additions do not wait on one another. */
  static double sumOfSquares(float[] g, int from, int to) {
    double s0 = 0;
    double s1 = 0;
    double s2 = 0;
    double s3 = 0;
    int i = from;
    for (; i + 3 < to; i += 4) {
      double a = g[i];
      double b = g[i + 1];
      double c = g[i + 2];
      double d = g[i + 3];
      s0 += a * a;
      s1 += b * b;
      s2 += c * c;
      s3 += d * d;
    }
    for (; i < to; i++) {
      double a = g[i];
      s0 += a * a;
    }
    return (s0 + s1) + (s2 + s3);
  }

  @Override
  public String toString() {
    switch (kind) {
      case VALUE:
        return "GradientClipping.byValue(" + limit + ")";
      case NORM:
        return "GradientClipping.byNorm(" + limit + ")";
      default:
        return "GradientClipping.byGlobalNorm(" + limit + ")";
    }
  }
}
