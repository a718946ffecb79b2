package dev.kiln.processor.layers;

import dev.kiln.annotations.Padding;
import dev.kiln.processor.Diagnostics;
import dev.kiln.processor.Message;
import dev.kiln.processor.model.Shape;
import dev.kiln.processor.model.Site;
import java.util.Arrays;
import java.util.List;

/** Window geometry shared by convolution and pooling: pairs from annotation values, output sizes, padding. */
final class Windows {
  private Windows() {}

  /** {@code {v}} as {@code {v, v}}; {@code {h, w}} as is; anything else (or a value <= 0) null. */
  static int[] pair(int[] values) {
    int[] pair = values.length == 1 ? new int[] {values[0], values[0]} : values.length == 2 ? values.clone() : null;
    if (pair == null || pair[0] <= 0 || pair[1] <= 0) {
      return null;
    }
    return pair;
  }

  /** Reports a value that is not one or two positive numbers; returns whether it is fine. */
  static boolean checkPair(Site site, String annotation, String attribute, int[] values, Diagnostics diagnostics) {
    if (pair(values) == null) {
      diagnostics.error(site, attribute, Message.WINDOW_VALUE, annotation, attribute, Arrays.toString(values));
      return false;
    }
    return true;
  }

  /** {@code 3x2} for messages; {@code 3} for a square. */
  static String text(int[] pair) {
    return pair[0] == pair[1] ? String.valueOf(pair[0]) : pair[0] + "x" + pair[1];
  }

  /**
   * One axis of a window: output size and padding before (top or left). SAME: ceil(size / s), the
   * padding needed split with the extra one after (Keras); VALID: floor((size - span) / s) + 1.
   *
   * @param span the window's extent, d (k - 1) + 1
   */
  record Axis(int out, int padBefore) {
    static Axis of(int size, int span, int stride, Padding padding) {
      if (padding == Padding.SAME) {
        int out = (size + stride - 1) / stride;
        int total = Math.max((out - 1) * stride + span - size, 0);
        return new Axis(out, total / 2);
      }
      return new Axis(size >= span ? (size - span) / stride + 1 : 0, 0);
    }
  }

  /** The input as an image: null after reporting when it is not of rank 3. */
  static Shape image(Site site, String annotation, String name, List<Shape> in, Diagnostics diagnostics) {
    Shape shape = in.get(0);
    if (shape.rank() != 3) {
      diagnostics.error(site, null, Message.IMAGE_RANK, annotation, name, shape);
      return null;
    }
    return shape;
  }
}
