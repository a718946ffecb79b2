package dev.kiln.runtime.data;

import java.util.List;
import java.util.Objects;

/** The {@link Dataset} implementations behind its factories. */
final class Datasets {
  private Datasets() {}

  /** Rows of arrays in memory, not copied. */
  static final class Arrays implements Dataset {
    private final float[][][] inputs;
    private final float[][] y;
    /** What {@link #prefetch} read: stored so the reads are not dropped; its value means nothing. */
    private float touched;
    private final int[] inputSizes;
    private final int targetSize;

    Arrays(List<float[][]> inputs, float[][] y) {
      Objects.requireNonNull(inputs, "inputs");
      Objects.requireNonNull(y, "y");
      if (inputs.isEmpty()) {
        throw new IllegalArgumentException("a dataset needs at least one input array");
      }
      this.inputs = new float[inputs.size()][][];
      this.inputSizes = new int[inputs.size()];
      for (int i = 0; i < inputs.size(); i++) {
        float[][] x = Objects.requireNonNull(inputs.get(i), "input array " + i);
        if (x.length != y.length) {
          throw new IllegalArgumentException("input array " + i + " has " + x.length + " rows, the targets " + y.length);
        }
        this.inputs[i] = x;
        this.inputSizes[i] = rowWidth(x, "input array " + i);
      }
      this.y = y;
      this.targetSize = rowWidth(y, "target array");
    }

    private static int rowWidth(float[][] rows, String what) {
      if (rows.length == 0) {
        return 0;
      }
      for (int r = 0; r < rows.length; r++) {
        if (rows[r] == null) {
          throw new IllegalArgumentException(what + " row " + r + " is null");
        }
        if (rows[r].length != rows[0].length) {
          throw new IllegalArgumentException(
              what + " row " + r + " has " + rows[r].length + " values, row 0 has " + rows[0].length);
        }
      }
      return rows[0].length;
    }

    @Override
    public int size() {
      return y.length;
    }

    @Override
    public int inputCount() {
      return inputs.length;
    }

    @Override
    public int inputSize(int input) {
      return inputSizes[input];
    }

    @Override
    public int targetSize() {
      return targetSize;
    }

    @Override
    public void copyInput(int input, int sample, float[] dest, int offset) {
      System.arraycopy(inputs[input][sample], 0, dest, offset, inputSizes[input]);
    }

    @Override
    public void copyTarget(int sample, float[] dest, int offset) {
      System.arraycopy(y[sample], 0, dest, offset, targetSize);
    }

    /** Reads each row's first and last value (a row of 784 floats spans two pages or more). */
    @Override
    public void prefetch(int sample) {
      float sum = touched;
      for (int i = 0; i < inputs.length; i++) {
        float[] row = inputs[i][sample];
        sum += row[0] + row[row.length - 1];
      }
      float[] target = y[sample];
      touched = sum + target[target.length - 1];
    }

    @Override
    public boolean concurrentCopies() {
      return true; // reads of arrays nothing here writes
    }

    @Override
    public String toString() {
      return "Dataset[" + y.length + " samples in arrays]";
    }
  }

  /** Rows of two mapped files. */
  static final class Mapped implements Dataset {
    private final MappedArray x;
    private final MappedArray y;
    /** What {@link #prefetch} read, as in {@link Arrays}. */
    private int touched;

    Mapped(MappedArray x, MappedArray y) {
      this.x = Objects.requireNonNull(x, "x");
      this.y = Objects.requireNonNull(y, "y");
      if (x.rows() != y.rows()) {
        throw new IllegalArgumentException(
            x.file() + " has " + x.rows() + " rows but " + y.file() + " has " + y.rows());
      }
    }

    @Override
    public int size() {
      return x.rows();
    }

    @Override
    public int inputSize(int input) {
      Objects.checkIndex(input, 1);
      return x.rowSize();
    }

    @Override
    public int targetSize() {
      return y.rowSize();
    }

    @Override
    public void copyInput(int input, int sample, float[] dest, int offset) {
      x.copyRow(sample, dest, offset);
    }

    @Override
    public void copyTarget(int sample, float[] dest, int offset) {
      y.copyRow(sample, dest, offset);
    }

    @Override
    public void prefetch(int sample) {
      touched = touched + x.touchRow(sample) + y.touchRow(sample);
    }

    @Override
    public boolean concurrentCopies() {
      return true; // MappedArray's reads are absolute: safe from several threads
    }

    @Override
    public String toString() {
      return "Dataset[" + x + ", " + y + "]";
    }
  }

  /**
   * A view of another dataset: every method forwards to it; each view overrides what it changes.
   */
  private abstract static class View implements Dataset {
    final Dataset source;

    View(Dataset source) {
      this.source = source;
    }

    @Override
    public int size() {
      return source.size();
    }

    @Override
    public int inputCount() {
      return source.inputCount();
    }

    @Override
    public int inputSize(int input) {
      return source.inputSize(input);
    }

    @Override
    public int targetSize() {
      return source.targetSize();
    }

    @Override
    public void copyInput(int input, int sample, float[] dest, int offset) {
      source.copyInput(input, sample, dest, offset);
    }

    @Override
    public void copyTarget(int sample, float[] dest, int offset) {
      source.copyTarget(sample, dest, offset);
    }

    @Override
    public void prefetch(int sample) {
      source.prefetch(sample);
    }

    @Override
    public boolean concurrentCopies() {
      return source.concurrentCopies(); // views keep no state between copies
    }

    @Override
    public boolean hasSampleWeights() {
      return source.hasSampleWeights();
    }

    @Override
    public float sampleWeight(int sample) {
      return source.sampleWeight(sample);
    }
  }

  /** Samples [from, to) of another dataset. */
  static final class Range extends View {
    private final int from;
    private final int size;

    Range(Dataset source, int from, int to) {
      super(source);
      this.from = from;
      this.size = to - from;
    }

    @Override
    public int size() {
      return size;
    }

    @Override
    public void copyInput(int input, int sample, float[] dest, int offset) {
      source.copyInput(input, from + Objects.checkIndex(sample, size), dest, offset);
    }

    @Override
    public void copyTarget(int sample, float[] dest, int offset) {
      source.copyTarget(from + Objects.checkIndex(sample, size), dest, offset);
    }

    @Override
    public float sampleWeight(int sample) {
      return source.sampleWeight(from + Objects.checkIndex(sample, size));
    }

    @Override
    public void prefetch(int sample) {
      if (sample >= 0 && sample < size) { // a hint: a bad index is the copy's to report
        source.prefetch(from + sample);
      }
    }

    @Override
    public String toString() {
      return "samples " + from + " to " + (from + size) + " of " + source;
    }
  }

  /** Class-index targets as one-hot vectors. */
  static final class OneHot extends View {
    private final int classes;

    OneHot(Dataset source, int classes) {
      super(source);
      this.classes = classes;
      if (classes < 2) {
        throw new IllegalArgumentException("one-hot targets need at least 2 classes, got " + classes);
      }
      if (source.targetSize() != 1) {
        throw new IllegalArgumentException(
            "one-hot targets need one class index per sample, the dataset has " + source.targetSize() + " target values");
      }
    }

    @Override
    public int targetSize() {
      return classes;
    }

    /** @throws IllegalArgumentException if the label is not a class index below {@code classes} */
    @Override
    public void copyTarget(int sample, float[] dest, int offset) {
      source.copyTarget(sample, dest, offset); // the index lands in the first slot, then is replaced
      float c = dest[offset];
      if (c != Math.rint(c) || c < 0 || c >= classes) {
        throw new IllegalArgumentException("target " + sample + " is " + c + ", expected a class index in [0, "
            + classes + ")");
      }
      java.util.Arrays.fill(dest, offset, offset + classes, 0f);
      dest[offset + (int) c] = 1f;
    }

    @Override
    public String toString() {
      return source + " with one-hot targets of " + classes + " classes";
    }
  }

  /** Another dataset's samples with loss weights. */
  static final class Weighted extends View {
    private final float[] weights;

    Weighted(Dataset source, float[] weights) {
      super(source);
      this.weights = Objects.requireNonNull(weights, "sampleWeights");
      if (weights.length != source.size()) {
        throw new IllegalArgumentException("sampleWeights has " + weights.length + " values for " + source.size()
            + " samples; give one weight per sample");
      }
      for (int i = 0; i < weights.length; i++) {
        if (!(weights[i] >= 0) || weights[i] == Float.POSITIVE_INFINITY) {
          throw new IllegalArgumentException(
              "sampleWeights[" + i + "] is " + weights[i] + "; a loss weight must be finite and >= 0");
        }
      }
    }

    @Override
    public boolean hasSampleWeights() {
      return true;
    }

    @Override
    public float sampleWeight(int sample) {
      return weights[sample];
    }

    @Override
    public String toString() {
      return source + " with sample weights";
    }
  }
}
