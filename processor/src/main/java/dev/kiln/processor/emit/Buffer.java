package dev.kiln.processor.emit;

/**
 * A float[] field of the generated Program.
 *
 * @param name the field name
 * @param size the allocation size, a Java expression over {@code maxBatch} and the constants
 * @param viewOf for a view, the owned buffer it starts out pointing at: a view field is reassigned
 *     by the forward pass (dropout at inference points its output at its input instead of copying);
 *     null for an owned buffer
 */
record Buffer(String name, String size, String viewOf) {
  static Buffer owned(String name, String size) {
    return new Buffer(name, size, null);
  }

  static Buffer view(String name, String initially) {
    return new Buffer(name, null, initially);
  }

  boolean isView() {
    return viewOf != null;
  }
}
