package dev.kiln.annotations;

/**
 * How a convolution or pooling window treats the border (Keras's {@code padding}).
 *
 * <ul>
 *   <li>{@link #VALID}: no padding; the window stays inside the input, output
 *       {@code floor((H - d(k - 1) - 1) / s) + 1}.
 *   <li>{@link #SAME}: output {@code ceil(H / s)}; the padding needed is split with the extra one
 *       at the bottom and right (Keras and TensorFlow; PyTorch's {@code padding='same'} exists for
 *       stride 1 only).
 * </ul>
 */
public enum Padding {
  VALID,
  SAME
}
