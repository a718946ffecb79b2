package dev.kiln.runtime.data;

import java.util.List;
import java.util.Objects;

/**
 * Training or evaluation data that {@code fit} and {@code evaluate} read one batch at a time, from
 * any source: arrays in memory ({@link #of(float[][], float[][])}), memory-mapped {@code .npy} or
 * IDX files ({@link #of(MappedArray, MappedArray)}), or an implementation of your own that
 * computes or fetches sample {@code i} on request. The engine copies the samples of each batch
 * straight into its buffers through {@link #copyInput} and {@link #copyTarget}; the whole set is
 * never copied.
 *
 * <p>Access is by index, because seeded shuffling visits the samples in a permuted order: the same
 * seed gives the same order, and a dataset over arrays trains to the same parameters, bit for bit,
 * as the arrays themselves. A source that can only be iterated (a stream, a generator) must be
 * buffered, or indexed by what it generates from ({@code i} as a seed).
 *
 * <p>The copy methods are called once per sample per epoch, on the training thread (or on the
 * worker threads too, when {@link #concurrentCopies()} says they may be), and should not allocate
 * if the training step is to stay allocation-free (the implementations here do not).
 * Values are checked as they are loaded: targets must be finite and, for sparse categorical
 * cross-entropy, class indices; inputs are checked for NaN and infinity when {@code
 * setInputChecks(true)} is on.
 */
public interface Dataset {
  /** Number of samples. */
  int size();

  /** Number of inputs per sample: 1 unless the network has several {@code @Input}s. */
  default int inputCount() {
    return 1;
  }

  /** Values of input {@code input} per sample. */
  int inputSize(int input);

  /** Values of the target per sample (1 for a class index). */
  int targetSize();

  /** Copies input {@code input} of sample {@code sample} into {@code dest[offset, offset + inputSize(input))}. */
  void copyInput(int input, int sample, float[] dest, int offset);

  /** Copies the target of sample {@code sample} into {@code dest[offset, offset + targetSize())}. */
  void copyTarget(int sample, float[] dest, int offset);

  /**
   * A hint that sample {@code sample} is about to be copied: an implementation may start fetching
   * it (touch the start and end of its storage, issue a read ahead). The engine calls it for every
   * sample of a batch before copying any (for samples of 64 values or more), so that the waits on
   * memory overlap instead of coming one sample after another: W1's 64 shuffled rows of 784 floats
   * in arrays took 37 us to copy in a probe, 24 after touching each row's first and last value.
   * Called from the same threads as the copies; does nothing unless overridden.
   */
  default void prefetch(int sample) {}

  /**
   * Whether {@link #copyInput} and {@link #copyTarget} may run on several threads at once (for
   * different samples, into different places). When true and training runs on several threads
   * ({@code Parallelism}), a batch loads on the same workers as the products: fetching 64 random
   * rows from memory waits on the memory, and two cores wait half as long. False unless
   * overridden, as an implementation of your own may keep state between copies; the arrays,
   * mapped files and their views here return true.
   */
  default boolean concurrentCopies() {
    return false;
  }

  /**
   * Whether the samples carry loss weights ({@link #sampleWeight}); false unless the dataset was
   * made by {@link #withSampleWeights} or overrides this.
   */
  default boolean hasSampleWeights() {
    return false;
  }

  /**
   * The weight of sample {@code sample} in the loss (Keras's {@code sample_weight}): its loss is
   * multiplied by it, and the batch's loss is the weighted sum divided by the number of samples.
   * Must be finite and >= 0; read as each batch loads, when {@link #hasSampleWeights()} is true.
   */
  default float sampleWeight(int sample) {
    return 1f;
  }

  /**
   * This dataset with per-sample loss weights (a view: the array is not copied). Shuffling keeps
   * each weight with its sample, a {@link #range} keeps the weights of its samples, and {@code
   * evaluate} reports the weighted loss. Each weight must be finite and >= 0, checked here.
   *
   * @throws IllegalArgumentException if {@code weights} does not have {@link #size()} values, or a
   *     weight is negative, NaN or infinite (naming its index)
   */
  default Dataset withSampleWeights(float[] weights) {
    return new Datasets.Weighted(this, weights);
  }

  /**
   * Samples {@code [from, to)} of this dataset as a dataset of their own (a view: nothing is
   * copied). {@code fit}'s validation split takes the last samples this way.
   */
  default Dataset range(int from, int to) {
    Objects.checkFromToIndex(from, to, size());
    return new Datasets.Range(this, from, to);
  }

  /**
   * Rows of {@code x} as inputs, rows of {@code y} as targets (a view over the arrays: they are not
   * copied, so changing them changes the dataset). Rows are checked here: every row of {@code x}
   * as long as the first, every row of {@code y} too, and as many rows in both.
   */
  static Dataset of(float[][] x, float[][] y) {
    Objects.requireNonNull(x, "x");
    return of(java.util.Collections.singletonList(x), y);
  }

  /** As {@link #of(float[][], float[][])} for a network with several inputs, one array per input. */
  static Dataset of(List<float[][]> inputs, float[][] y) {
    return new Datasets.Arrays(inputs, y);
  }

  /**
   * Rows of mapped array {@code x} as inputs, rows of {@code y} as targets: a {@code [n, 784]} or
   * {@code [n, 28, 28]} input array and a {@code [n]} label array (one class index per sample) or
   * {@code [n, k]} target array.
   *
   * @throws IllegalArgumentException if the arrays have different numbers of rows
   */
  static Dataset of(MappedArray x, MappedArray y) {
    return new Datasets.Mapped(x, y);
  }

  /**
   * This dataset with each target, a class index, replaced by its one-hot vector of {@code classes}
   * values: for categorical cross-entropy on a file of labels.
   */
  default Dataset oneHotTargets(int classes) {
    return new Datasets.OneHot(this, classes);
  }
}
