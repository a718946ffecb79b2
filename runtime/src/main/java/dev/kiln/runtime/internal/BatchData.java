package dev.kiln.runtime.internal;

import dev.kiln.runtime.data.Dataset;
import dev.kiln.runtime.kernels.Elementwise;
import dev.kiln.runtime.kernels.ParallelRanges;
import java.util.List;
import java.util.Objects;

/**
 * The data side of the engine: every check on what users pass in (done once per call, before the
 * hot loop, allocating only to report a failure), copying batches into the program's buffers, and
 * counting correct predictions for the accuracy metric.
 */
public final class BatchData {
  private final CompiledNetwork net;
  private final NetworkInfo info;
  /** Values per sample of each input. */
  private final int[] inputSizes;
  /** The per-batch calls' inputs, reused so that they allocate nothing. */
  private final float[][][] scratchInputs;
  private final OneArray singleInput = new OneArray();
  private final OneArray singleGradient = new OneArray();
  private final int outputSize;
  private final int targetSize;
  /** Rows of the loss per sample: the output's positions (1 for a flat output). */
  private final int lossRowsPerSample;
  /** Values per row of the loss: the output's last axis. */
  private final int outputFeatures;
  /** Per-row loss weights of the current batch; allocated by the first weighted batch. */
  private float[] rowWeights;
  private boolean checkInputs;
  /**
   * Fewest batch rows a part when a batch loads on several threads: about 8,192 values, so each
   * part waits on memory far longer than the hand-off to a worker takes (W1's 64 rows of 784
   * split in two; Iris's 120 rows of 4 load on one thread).
   */
  private final int rowsPerCopyPart;
  private final RowCopy rowCopy = new RowCopy();
  /**
   * Whether a batch announces its samples before copying them ({@link Dataset#prefetch}): for
   * samples of {@link #PREFETCH_MIN_VALUES} values or more. Smaller rows are a line or two, and
   * small data sets stay in cache (Iris: 5 values a row, the call only costs).
   */
  private final boolean prefetchRows;
  private static final int PREFETCH_MIN_VALUES = 64;

  public BatchData(CompiledNetwork net) {
    this.net = net;
    this.info = net.info();
    this.inputSizes = new int[info.inputs().size()];
    this.scratchInputs = new float[inputSizes.length][][];
    for (int i = 0; i < inputSizes.length; i++) {
      inputSizes[i] = info.inputSize(i);
    }
    this.outputSize = info.outputSize();
    this.targetSize = info.targetSize();
    this.outputFeatures = info.output().outputShape().last();
    this.lossRowsPerSample = outputSize / outputFeatures;
    int valuesPerRow = targetSize;
    for (int size : inputSizes) {
      valuesPerRow += size;
    }
    this.rowsPerCopyPart = Math.max(1, 8192 / Math.max(1, valuesPerRow));
    this.prefetchRows = valuesPerRow >= PREFETCH_MIN_VALUES;
  }

  /** When on, inputs are checked for NaN and infinity before use. */
  public void setInputChecks(boolean on) {
    this.checkInputs = on;
  }

  public boolean inputChecks() {
    return checkInputs;
  }

  /** Values per sample of input {@code i}. */
  public int inputSize(int i) {
    return inputSizes[i];
  }

  /** Checks a flat row-major batch of the only input (predict(float[], n, out)). */
  public void checkFlatInput(float[] x, int n) {
    Objects.requireNonNull(x, "x");
    requireOneInput();
    int inputSize = inputSizes[0];
    if (n < 0 || (long) n * inputSize != x.length) {
      throw new IllegalArgumentException("input array has " + x.length + " values, expected " + n + " x " + inputSize);
    }
    if (checkInputs) {
      checkFinite(x, 0, x.length, "input", -1);
    }
  }

  public void checkGradientArrays(List<float[][]> gradients, int n) {
    Objects.requireNonNull(gradients, "inputGradients");
    if (gradients.size() != inputSizes.length) {
      throw new IllegalArgumentException(
          gradients.size() + " input-gradient arrays for a network with " + inputSizes.length + " inputs");
    }
    for (int i = 0; i < gradients.size(); i++) {
      float[][] g = gradients.get(i);
      if (g == null || g.length < n) {
        throw new IllegalArgumentException("input-gradient array " + i + " must have " + n + " rows");
      }
      for (int r = 0; r < n; r++) {
        if (g[r] == null || g[r].length != inputSizes[i]) {
          throw new IllegalArgumentException(
              "input-gradient array " + i + " row " + r + " must have " + inputSizes[i] + " values");
        }
      }
    }
  }

  public void copyInputGradients(List<float[][]> gradients, int n) {
    for (int i = 0; i < gradients.size(); i++) {
      float[] buffer = net.inputGradientBuffer(i);
      int width = inputSizes[i];
      for (int r = 0; r < n; r++) {
        System.arraycopy(buffer, r * width, gradients.get(i)[r], 0, width);
      }
    }
  }

  /** Checks one caller-given batch, loads it into the buffers and returns its size. */
  public int loadBatchForPass(List<float[][]> inputs, float[][] y) {
    return loadBatchForPass(inputs, y, null);
  }

  /**
   * As {@link #loadBatchForPass(List, float[][])}, the loss weighted per sample by {@code
   * sampleWeights} (null: unweighted).
   */
  public int loadBatchForPass(List<float[][]> inputs, float[][] y, float[] sampleWeights) {
    float[][][] x = inputArrays(inputs, DataRole.BATCH);
    checkData(x, y, DataRole.BATCH);
    checkBatchSize(x[0].length);
    if (sampleWeights != null) {
      checkSampleWeights(sampleWeights, y.length, "sampleWeights");
    }
    loadBatch(x, y, null, 0, x[0].length);
    if (sampleWeights != null) {
      float[] weights = rowWeights();
      for (int r = 0; r < y.length; r++) {
        java.util.Arrays.fill(weights, r * lossRowsPerSample, (r + 1) * lossRowsPerSample, sampleWeights[r]);
      }
      net.setLossWeights(weights);
    }
    return x[0].length;
  }

  /**
   * Checks per-sample loss weights: one per sample, each finite and >= 0. {@code argument} names
   * them in the message.
   */
  public static void checkSampleWeights(float[] weights, int samples, String argument) {
    Objects.requireNonNull(weights, argument);
    if (weights.length != samples) {
      throw new IllegalArgumentException(
          argument + " has " + weights.length + " values for " + samples + " samples; give one weight per sample");
    }
    for (int i = 0; i < weights.length; i++) {
      checkWeight(weights[i], argument, i);
    }
  }

  private static void checkWeight(float weight, String argument, int index) {
    if (!(weight >= 0) || weight == Float.POSITIVE_INFINITY) {
      throw new IllegalArgumentException(
          argument + "[" + index + "] is " + weight + "; a loss weight must be finite and >= 0");
    }
  }

  /**
   * Checks class weights against the network's loss before training: a classification loss (not
   * MSE or MAE), one output value per position for binary cross-entropy, a weight for every class
   * and none for a class the output does not have. Missing classes (from a map) are NaN.
   */
  public void checkClassWeights(float[] classWeights) {
    if (info.accuracy() == Accuracy.NONE) {
      throw new IllegalArgumentException("classWeights need a classification loss; " + info.name() + " trains with "
          + info.loss() + ", a regression loss: weight samples with sampleWeights instead");
    }
    boolean binary = info.accuracy() == Accuracy.BINARY || info.accuracy() == Accuracy.BINARY_LOGITS;
    if (binary && outputFeatures != 1) {
      throw new IllegalArgumentException("classWeights need one label per sample; " + info.name() + "'s "
          + info.loss() + " output has " + outputFeatures + " values (multi-label): weight samples with sampleWeights");
    }
    int classes = binary ? 2 : outputFeatures;
    if (classWeights.length < classes) {
      throw new IllegalArgumentException("classWeights has " + classWeights.length + " values, " + info.name()
          + "'s output has " + classes + " classes: give one weight per class (0 to " + (classes - 1) + ")");
    }
    if (classWeights.length > classes) {
      throw new IllegalArgumentException("classWeights gives a weight for class " + (classWeights.length - 1)
          + ", " + info.name() + "'s output has " + classes + " classes (0 to " + (classes - 1) + ")");
    }
    for (int c = 0; c < classes; c++) {
      if (Float.isNaN(classWeights[c])) {
        throw new IllegalArgumentException("classWeights has no weight for class " + c + "; give one for each of the "
            + classes + " classes (0 to " + (classes - 1) + ")");
      }
    }
  }

  /** The row-weight buffer, allocated once (maxBatch x loss rows per sample). */
  private float[] rowWeights() {
    if (rowWeights == null) {
      rowWeights = new float[Math.multiplyExact(net.maxBatch(), lossRowsPerSample)];
    }
    return rowWeights;
  }

  /**
   * One input's array as the list the multi-input methods take (null stays null, for the checks):
   * a reused one-element list, so a single-input training step allocates nothing.
   */
  public List<float[][]> single(float[][] x) {
    singleInput.value = x;
    return singleInput;
  }

  public List<float[][]> singleGradient(float[][] gradient) {
    singleGradient.value = gradient;
    return singleGradient;
  }

  /** A settable one-element list. */
  private static final class OneArray extends java.util.AbstractList<float[][]> {
    float[][] value;

    @Override
    public float[][] get(int index) {
      Objects.checkIndex(index, 1);
      return value;
    }

    @Override
    public int size() {
      return 1;
    }
  }

  /**
   * The caller's list as an array, one entry per declared input: the reused scratch array, so the
   * per-batch calls allocate nothing; {@code fit} copies it, since callbacks may evaluate meanwhile.
   */
  public float[][][] inputArrays(List<float[][]> inputs, DataRole role) {
    if (inputs == null) {
      throw new IllegalArgumentException(role.input + "s must not be null");
    }
    if (inputs.size() != inputSizes.length) {
      throw new IllegalArgumentException(role.name + " data has " + inputs.size() + " input arrays, the network "
          + info.name() + " takes " + inputSizes.length + " (" + inputNames() + ")");
    }
    for (int i = 0; i < scratchInputs.length; i++) {
      scratchInputs[i] = inputs.get(i);
    }
    return scratchInputs;
  }

  private String inputNames() {
    return String.join(", ", info.inputs().stream().map(LayerInfo::name).toList());
  }


  public void checkBatchSize(int batchSize) {
    if (batchSize > net.maxBatch()) {
      throw new IllegalArgumentException(
          "batch size " + batchSize + " is larger than this model's maximum batch " + net.maxBatch()
              + "; build the model with a larger maxBatch or use a smaller batch");
    }
  }

  /** The data-set index of a batch's row {@code r}: through the shuffled order when there is one. */
  private static int sampleAt(int[] order, int from, int r) {
    return order == null ? from + r : order[from + r];
  }

  public void loadBatch(float[][][] x, float[][] y, int[] order, int from, int n) {
    net.setLossWeights(null);
    loadInputs(x, order, from, n);
    for (int r = 0; r < n; r++) {
      int sample = sampleAt(order, from, r);
      System.arraycopy(y[sample], 0, net.targetBuffer(), r * targetSize, targetSize);
    }
  }

  public void loadInputs(float[][][] x, int[] order, int from, int n) {
    for (int i = 0; i < x.length; i++) {
      float[] buffer = net.inputBuffer(i);
      int width = inputSizes[i];
      for (int r = 0; r < n; r++) {
        int sample = sampleAt(order, from, r);
        System.arraycopy(x[i][sample], 0, buffer, r * width, width);
      }
    }
  }

  /**
   * Checks what can be checked of a dataset before the loop: its size and its widths against the
   * network's. Its values are checked as batches load ({@link #loadBatch(Dataset, int[], int, int,
   * DataRole)}).
   */
  public void checkDataset(Dataset dataset, DataRole role) {
    if (dataset == null) {
      throw new IllegalArgumentException(role.name + " dataset must not be null");
    }
    if (dataset.size() <= 0) {
      throw new IllegalArgumentException(role.name + " data is empty");
    }
    if (dataset.inputCount() != inputSizes.length) {
      throw new IllegalArgumentException(role.name + " dataset has " + dataset.inputCount() + " inputs, the network "
          + info.name() + " takes " + inputSizes.length + " (" + inputNames() + ")");
    }
    for (int i = 0; i < inputSizes.length; i++) {
      if (dataset.inputSize(i) != inputSizes[i]) {
        throw new IllegalArgumentException(role.name + " dataset has " + dataset.inputSize(i) + " values per sample"
            + (inputSizes.length > 1 ? " for input " + info.inputs().get(i).name() : "") + ", the network takes "
            + inputSizes[i]);
      }
    }
    if (dataset.targetSize() != targetSize) {
      boolean classIndex = info.accuracy() == Accuracy.SPARSE_CATEGORICAL;
      throw new IllegalArgumentException(role.name + " dataset has " + dataset.targetSize()
          + " target values per sample, the loss takes " + targetSize
          + (classIndex ? " (a class index)" : targetSize == outputSize && outputSize > 1
              ? " (one-hot: Dataset.oneHotTargets turns class indices into them)" : ""));
    }
  }

  /**
   * Copies samples {@code order[from .. from + n)} (or {@code from .. from + n} without an order)
   * of a checked dataset into the buffers, then checks their targets (finite; class indices for
   * sparse categorical cross-entropy) and, with input checks on, their inputs. Allocates only to
   * report a bad value, naming the sample's index in the dataset.
   */
  public void loadBatch(Dataset dataset, int[] order, int from, int n, DataRole role) {
    loadBatch(dataset, order, from, n, role, null);
  }

  /**
   * As {@link #loadBatch(Dataset, int[], int, int, DataRole)}, then weights the loss of each row
   * by its sample's weight (when the dataset has weights) times its label's class weight (when
   * {@code classWeights}, checked by {@link #checkClassWeights}, is not null), or leaves the loss
   * unweighted when there are neither.
   */
  public void loadBatch(Dataset dataset, int[] order, int from, int n, DataRole role, float[] classWeights) {
    float[] target = net.targetBuffer();
    if (dataset.concurrentCopies() && n >= 2 * rowsPerCopyPart) {
      rowCopy.set(dataset, order, from);
      try {
        ParallelRanges.run(0, n, rowsPerCopyPart, rowCopy); // rows in order within each part
      } finally {
        rowCopy.set(null, null, 0);
      }
    } else {
      copyRows(dataset, order, from, 0, n);
    }
    // One scan of each whole batch buffer (a vector kernel's start-up cost is paid once, not per
    // row); only a batch with a bad value is searched row by row, to name the sample.
    for (int i = 0; checkInputs && i < inputSizes.length; i++) {
      if (!Elementwise.ACTIVE.allFinite(n * inputSizes[i], net.inputBuffer(i), 0)) {
        for (int r = 0; r < n; r++) {
          checkFinite(net.inputBuffer(i), r * inputSizes[i], inputSizes[i], role.input,
              sampleAt(order, from, r));
        }
      }
    }
    if (!Elementwise.ACTIVE.allFinite(n * targetSize, target, 0)) {
      for (int r = 0; r < n; r++) {
        checkFinite(target, r * targetSize, targetSize, role.target, sampleAt(order, from, r));
      }
    }
    if (info.accuracy() == Accuracy.SPARSE_CATEGORICAL) {
      int classes = outputSize / targetSize;
      for (int r = 0; r < n; r++) {
        for (int j = 0; j < targetSize; j++) { // every position of a sequence's labels
          float label = target[r * targetSize + j];
          if (label != Math.rint(label) || label < 0 || label >= classes) {
            int sample = sampleAt(order, from, r);
            throw new IllegalArgumentException(role.target + " " + sample + (targetSize > 1 ? " position " + j : "")
                + " is " + label + ", expected a class index in [0, " + classes + ")");
          }
        }
      }
    }
    if (!dataset.hasSampleWeights() && classWeights == null) {
      net.setLossWeights(null);
      return;
    }
    float[] weights = rowWeights();
    for (int r = 0; r < n; r++) {
      int sample = sampleAt(order, from, r);
      float sampleWeight = 1f;
      if (dataset.hasSampleWeights()) {
        sampleWeight = dataset.sampleWeight(sample);
        if (!(sampleWeight >= 0) || sampleWeight == Float.POSITIVE_INFINITY) {
          throw new IllegalArgumentException(role.name + " sample weight " + sample + " is " + sampleWeight
              + "; a loss weight must be finite and >= 0");
        }
      }
      for (int row = r * lossRowsPerSample; row < (r + 1) * lossRowsPerSample; row++) {
        weights[row] = classWeights == null ? sampleWeight : sampleWeight * classWeights[label(target, row)];
      }
    }
    net.setLossWeights(weights);
  }

  /** Copies batch rows {@code [first, end)}: sample {@code sampleAt(order, from, r)} into row r. */
  private void copyRows(Dataset dataset, int[] order, int from, int first, int end) {
    float[] target = net.targetBuffer();
    for (int r = first; prefetchRows && r < end; r++) {
      dataset.prefetch(sampleAt(order, from, r)); // every row's first miss in flight at once
    }
    for (int r = first; r < end; r++) {
      int sample = sampleAt(order, from, r);
      for (int i = 0; i < inputSizes.length; i++) {
        dataset.copyInput(i, sample, net.inputBuffer(i), r * inputSizes[i]);
      }
      dataset.copyTarget(sample, target, r * targetSize);
    }
  }

  /** {@link #copyRows} as a reusable task for the worker pool, so loading a batch allocates nothing. */
  private final class RowCopy implements ParallelRanges.RangeTask {
    private Dataset dataset;
    private int[] order;
    private int from;

    void set(Dataset dataset, int[] order, int from) {
      this.dataset = dataset;
      this.order = order;
      this.from = from;
    }

    @Override
    public void run(int first, int end) {
      copyRows(dataset, order, from, first, end);
    }
  }

  /**
   * The class of loss row {@code row} for class weights (Keras's rule): the index for sparse
   * targets, the argmax of a one-hot or probability row, the rounded 0/1 target for one binary
   * output.
   */
  private int label(float[] target, int row) {
    switch (info.accuracy()) {
      case SPARSE_CATEGORICAL:
        return (int) target[row];
      case CATEGORICAL:
        return Accuracy.argMax(target, row * outputFeatures, outputFeatures);
      default:
        return target[row] > 0.5f ? 1 : 0;
    }
  }

  public void requireOneInput() {
    if (inputSizes.length != 1) {
      throw new IllegalArgumentException(info.name() + " takes " + inputSizes.length + " inputs (" + inputNames()
          + "); predict with one array per input");
    }
  }

  public int accuracyUnits() {
    return info.accuracy() == Accuracy.BINARY || info.accuracy() == Accuracy.BINARY_LOGITS ? outputSize : 1;
  }

  public long countCorrect(int n) {
    float[] p = net.outputBuffer();
    float[] t = net.targetBuffer();
    long correct = 0;
    switch (info.accuracy()) {
      case NONE:
        return 0;
      case BINARY:
        for (int i = 0; i < n * outputSize; i++) {
          if ((p[i] > 0.5f) == (t[i] > 0.5f)) {
            correct++;
          }
        }
        return correct;
      case BINARY_LOGITS:
        for (int i = 0; i < n * outputSize; i++) {
          if ((p[i] > 0f) == (t[i] > 0.5f)) {
            correct++;
          }
        }
        return correct;
      case CATEGORICAL:
        for (int r = 0; r < n; r++) {
          if (Accuracy.argMax(p, r * outputSize, outputSize) == Accuracy.argMax(t, r * outputSize, outputSize)) {
            correct++;
          }
        }
        return correct;
      case SPARSE_CATEGORICAL:
        for (int r = 0; r < n; r++) {
          if (Accuracy.argMax(p, r * outputSize, outputSize) == (int) t[r]) {
            correct++;
          }
        }
        return correct;
      default:
        throw new AssertionError(info.accuracy());
    }
  }

  /** Whose data a check looks at; labels are precomputed so checks allocate only when they fail. */
  public enum DataRole {
    TRAINING("training"),
    VALIDATION("validation"),
    EVALUATION("evaluation"),
    BATCH("batch"),
    PREDICTION("");

    final String name;
    final String input;
    final String target;

    DataRole(String name) {
      this.name = name;
      this.input = name.isEmpty() ? "input" : name + " input";
      this.target = name.isEmpty() ? "target" : name + " target";
    }
  }

  public void checkData(float[][][] x, float[][] y, DataRole role) {
    if (y == null) {
      throw new IllegalArgumentException(role.name + " inputs and targets must not be null");
    }
    checkInputs(x, role);
    if (x[0].length != y.length) {
      throw new IllegalArgumentException(
          role.name + " data has " + x[0].length + " inputs but " + y.length + " targets");
    }
    if (y.length == 0) {
      throw new IllegalArgumentException(role.name + " data is empty");
    }
    boolean classIndex = info.accuracy() == Accuracy.SPARSE_CATEGORICAL;
    for (int i = 0; i < y.length; i++) {
      if (y[i] == null || y[i].length != targetSize) {
        throw new IllegalArgumentException(
            role.target + " " + i + " has " + (y[i] == null ? "no" : y[i].length) + " values, expected "
                + targetSize + (classIndex ? " (a class index)" : "") + lengthHint(y[i]));
      }
      checkFinite(y[i], 0, targetSize, role.target, i);
      checkTargetFitsLoss(y[i], i, role);
    }
  }

  /** The loss's hint when a target row has the length the other form of cross-entropy takes. */
  private String lengthHint(float[] row) {
    if (row == null) {
      return "";
    }
    if (info.accuracy() == Accuracy.CATEGORICAL && row.length == 1 && outputSize > 1) {
      return "; " + info.loss() + " takes one-hot or probability rows of " + outputSize
          + " values: for class indices use SPARSE_CATEGORICAL_CROSSENTROPY";
    }
    if (info.accuracy() == Accuracy.SPARSE_CATEGORICAL && row.length == outputSize && outputSize > 1) {
      return "; " + info.loss() + " takes class indices: for one-hot rows use CATEGORICAL_CROSSENTROPY";
    }
    return "";
  }

  /**
   * The rules of the loss the network was built with: class indices in range for sparse
   * categorical cross-entropy, one-hot or probability rows (values >= 0 summing to 1 within 1e-3)
   * for categorical cross-entropy, values in [0, 1] for binary cross-entropy. Regression losses
   * take any finite target.
   */
  private void checkTargetFitsLoss(float[] row, int index, DataRole role) {
    switch (info.accuracy()) {
      case SPARSE_CATEGORICAL: {
        int classes = outputSize / targetSize;
        for (int j = 0; j < targetSize; j++) {
          float label = row[j];
          if (label != Math.rint(label) || label < 0 || label >= classes) {
            throw new IllegalArgumentException(
                role.target + " " + index + (targetSize > 1 ? " position " + j : "") + " is " + label
                    + ", expected a class index in [0, " + classes + ")");
          }
        }
        return;
      }
      case CATEGORICAL: {
        // One distribution per position of the output (a sequence's steps each sum to 1).
        for (int from = 0; from < targetSize; from += outputFeatures) {
          double sum = 0;
          for (int j = from; j < from + outputFeatures; j++) {
            if (!(row[j] >= 0)) {
              throw new IllegalArgumentException(role.target + " " + index + " has " + row[j] + " at position " + j
                  + "; " + info.loss() + " expects one-hot or probability rows (values >= 0, summing to 1)");
            }
            sum += row[j];
          }
          if (Math.abs(sum - 1) > 1e-3) {
            String where = targetSize > outputFeatures ? " at step " + from / outputFeatures : "";
            throw new IllegalArgumentException(role.target + " " + index + where + " sums to " + (float) sum + "; "
                + info.loss() + " expects one-hot or probability rows (values >= 0, summing to 1 within 1e-3)"
                + (sum == 0 ? "" : sumHint(row)));
          }
        }
        return;
      }
      case BINARY:
        for (int j = 0; j < targetSize; j++) {
          if (!(row[j] >= 0 && row[j] <= 1)) {
            throw new IllegalArgumentException(role.target + " " + index + " has " + row[j] + " at position " + j
                + "; " + info.loss() + " expects targets in [0, 1]"
                + (row[j] >= 1 && row[j] == Math.rint(row[j])
                    ? " (class indices need SPARSE_CATEGORICAL_CROSSENTROPY and a softmax output)"
                    : ""));
          }
        }
        return;
      default:
    }
  }

  /** A row holding one integer >= 1 and zeros elsewhere looks like a class index in a one-hot slot. */
  private static String sumHint(float[] row) {
    int nonZero = 0;
    boolean integers = true;
    for (float v : row) {
      if (v != 0) {
        nonZero++;
        integers &= v == Math.rint(v);
      }
    }
    return nonZero == 1 && integers ? "; for class indices use SPARSE_CATEGORICAL_CROSSENTROPY" : "";
  }

  public void checkInputs(float[][][] x, DataRole role) {
    for (int i = 0; i < x.length; i++) {
      if (x[i] == null) {
        throw new IllegalArgumentException(role.input + "s must not be null");
      }
      if (x[i].length != x[0].length) {
        throw new IllegalArgumentException(role.name + " input " + info.inputs().get(i).name() + " has "
            + x[i].length + " samples, input " + info.inputs().get(0).name() + " " + x[0].length);
      }
      for (int s = 0; s < x[i].length; s++) {
        checkSample(x[i][s], i, s, role);
      }
    }
  }

  public void checkSample(float[] sample, int input, int index, DataRole role) {
    int inputSize = inputSizes[input];
    if (sample == null || sample.length != inputSize) {
      throw new IllegalArgumentException(
          role.input + " " + index + " has " + (sample == null ? "no" : sample.length)
              + " values, the network takes " + inputSize
              + (inputSizes.length > 1 ? " for input " + info.inputs().get(input).name() : ""));
    }
    if (checkInputs) {
      checkFinite(sample, 0, inputSize, role.input, index);
    }
  }

  /**
   * Throws if {@code v[from, from + count)} holds NaN or an infinity; {@code label} and {@code
   * index} (-1: none) name the row in the message: "training target 3 has NaN at position 5". The
   * one check every input path shares (training batches, predictions, serving, steps, GAN batches).
   */
  public static void checkFinite(float[] v, int from, int count, String label, int index) {
    // A vector kernel first: this runs on every batch of every epoch; the loop below only
    // locates a value already known to be bad.
    if (Elementwise.ACTIVE.allFinite(count, v, from)) {
      return;
    }
    for (int i = from; i < from + count; i++) {
      if (!Float.isFinite(v[i])) {
        throw new IllegalArgumentException(
            label + (index >= 0 ? " " + index : "") + " has " + v[i] + " at position " + (i - from));
      }
    }
  }
}
