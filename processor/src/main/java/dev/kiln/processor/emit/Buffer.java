package dev.kiln.processor.emit;

/**
 * A buffer field of the generated Program: {@code float[]} or {@code int[]}, owned or a view.
 *
 * @param name the field name (allocated, never clashing with another member)
 * @param ints true for an {@code int[]} (indices such as max pooling's argmax, token ids), false
 *     for {@code float[]}
 * @param size the allocation: a Java expression over {@code maxBatch} and the constants; per
 *     sample when {@code batched}, in total otherwise
 * @param viewOf for a view, the buffer it starts out pointing at: a view field is reassigned by the
 *     forward pass (dropout at inference points its output at its input instead of copying) or
 *     stays an alias (flatten's output is its input); null for an owned buffer
 * @param batched true when {@code size} counts values per sample and the buffer holds
 *     {@code maxBatch} samples; false for a fixed size (statistics, scratch)
 * @param trainingOnly true for a buffer only training reads or writes (gradients, dropout masks):
 *     the generated code allocates it with {@code gradientBuffer}, which gives inference programs
 *     (serving) an empty array
 */
public record Buffer(String name, boolean ints, String size, String viewOf, boolean batched, boolean trainingOnly) {
  /** A float buffer of {@code perSample} values for each of {@code maxBatch} samples. */
  public static Buffer perSample(String name, String perSample) {
    return new Buffer(name, false, perSample, null, true, false);
  }

  /**
   * A float buffer of {@code perSample} values per sample that only training uses (a gradient, a
   * mask): inference programs get an empty array.
   */
  public static Buffer gradient(String name, String perSample) {
    return new Buffer(name, false, perSample, null, true, true);
  }

  /** An int buffer of {@code perSample} values for each of {@code maxBatch} samples. */
  public static Buffer intsPerSample(String name, String perSample) {
    return new Buffer(name, true, perSample, null, true, false);
  }

  /** A float buffer of a fixed size, independent of the batch ({@code size} may use {@code maxBatch}). */
  public static Buffer fixed(String name, String size) {
    return new Buffer(name, false, size, null, false, false);
  }

  public static Buffer view(String name, String initially) {
    return new Buffer(name, false, null, initially, false, false);
  }

  public boolean isView() {
    return viewOf != null;
  }
}
