package dev.kiln.runtime.training;

import dev.kiln.runtime.internal.LayerInfo;
import dev.kiln.runtime.internal.NetworkInfo;
import dev.kiln.runtime.internal.TensorSlice;
import java.util.Set;

/**
 * Limits the gradient before each optimizer step, as Keras's optimizer arguments: {@link #byValue}
 * ({@code clipvalue}) bounds every component, {@link #byNorm} ({@code clipnorm}) rescales each
 * parameter tensor whose L2 norm exceeds the limit, {@link #byGlobalNorm} ({@code
 * global_clipnorm}) rescales the whole gradient when its joint L2 norm exceeds the limit. A
 * rescaled gradient keeps its direction: {@code g * limit / norm}. Gradients within the limit are
 * left bit for bit as they are. Norms are summed in double.
 *
 * <p>{@code fit} applies it after the backward pass to the trainable tensors' slices of the flat
 * gradient array ({@link #tensorOffsets(NetworkInfo, Set)}, computed once per fit); {@link #clip} allocates nothing. NaN components stay NaN: clipping does not rescue a diverged gradient.
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

  /**
   * Start of each trainable parameter tensor in the flat array, in save order. Non-trainable state
   * (batch norm's moving statistics) has no gradient to clip.
   */
  public static int[] tensorOffsets(NetworkInfo info) {
    return tensorOffsets(info, Set.of());
  }

  /** Size of each trainable parameter tensor, matching {@link #tensorOffsets(NetworkInfo)}. */
  public static int[] tensorSizes(NetworkInfo info) {
    return tensorSizes(info, Set.of());
  }

  /**
   * Start of each tensor the optimizer updates: trainable, in a layer not named in {@code
   * frozenLayers} (as Keras clips only trainable variables). {@code fit} computes this once.
   */
  public static int[] tensorOffsets(NetworkInfo info, Set<String> frozenLayers) {
    return tensorBounds(info, frozenLayers, true);
  }

  /** Size of each tensor, matching {@link #tensorOffsets(NetworkInfo, Set)}. */
  public static int[] tensorSizes(NetworkInfo info, Set<String> frozenLayers) {
    return tensorBounds(info, frozenLayers, false);
  }

  private static int[] tensorBounds(NetworkInfo info, Set<String> frozenLayers, boolean offsets) {
    int count = 0;
    for (LayerInfo layer : info.layers()) {
      for (TensorSlice slice : layer.tensors()) {
        count += updated(layer, slice, frozenLayers) ? 1 : 0;
      }
    }
    int[] bounds = new int[count];
    int i = 0;
    for (LayerInfo layer : info.layers()) {
      for (TensorSlice slice : layer.tensors()) {
        if (updated(layer, slice, frozenLayers)) {
          bounds[i++] = offsets ? slice.offset() : slice.size();
        }
      }
    }
    return bounds;
  }

  private static boolean updated(LayerInfo layer, TensorSlice slice, Set<String> frozenLayers) {
    return slice.trainable() && !frozenLayers.contains(layer.name());
  }

  /**
   * Clips, in place, the gradient of the tensors that {@code tensorOffsets} and {@code
   * tensorSizes} delimit in {@code gradients}; values outside them are not touched. {@link
   * #byNorm} takes the tensors one by one, {@link #byGlobalNorm} all together.
   */
  public void clip(float[] gradients, int[] tensorOffsets, int[] tensorSizes) {
    if (tensorOffsets.length != tensorSizes.length) {
      throw new IllegalArgumentException(
          tensorOffsets.length + " tensor offsets but " + tensorSizes.length + " sizes");
    }
    switch (kind) {
      case VALUE:
        for (int t = 0; t < tensorOffsets.length; t++) {
          clipValues(gradients, tensorOffsets[t], tensorOffsets[t] + tensorSizes[t], limit);
        }
        break;
      case NORM:
        for (int t = 0; t < tensorOffsets.length; t++) {
          int from = tensorOffsets[t];
          int to = from + tensorSizes[t];
          scaleToNorm(gradients, from, to, Math.sqrt(sumOfSquares(gradients, from, to)), limit);
        }
        break;
      case GLOBAL_NORM:
        double sum = 0;
        for (int t = 0; t < tensorOffsets.length; t++) {
          sum += sumOfSquares(gradients, tensorOffsets[t], tensorOffsets[t] + tensorSizes[t]);
        }
        double norm = Math.sqrt(sum);
        for (int t = 0; t < tensorOffsets.length; t++) {
          scaleToNorm(gradients, tensorOffsets[t], tensorOffsets[t] + tensorSizes[t], norm, limit);
        }
        break;
      default:
        throw new AssertionError(kind);
    }
  }

  private static void clipValues(float[] g, int from, int to, float limit) {
    float low = -limit;
    for (int i = from; i < to; i++) {
      g[i] = Math.min(Math.max(g[i], low), limit);
    }
  }

  /** Scales {@code g[from, to)} by {@code maxNorm / norm} when {@code norm} exceeds it. */
  private static void scaleToNorm(float[] g, int from, int to, double norm, float maxNorm) {
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
