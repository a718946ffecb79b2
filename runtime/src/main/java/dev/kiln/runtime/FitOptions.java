package dev.kiln.runtime;

import dev.kiln.runtime.data.Dataset;
import dev.kiln.runtime.training.Callback;
import dev.kiln.runtime.training.GradientClipping;
import dev.kiln.runtime.training.LearningRateSchedule;
import java.util.List;

/**
 * How {@link Model#fit} trains: epochs, batch size, shuffling, validation data, console output,
 * and training control (learning-rate schedule, callbacks, gradient clipping, stopping on a NaN
 * loss). Immutable; each {@code with...} method returns a copy.
 *
 * <pre>{@code
 * model.fit(x, y, FitOptions.epochs(100).withBatchSize(32).withValidation(xVal, yVal)
 *     .withSchedule(LearningRateSchedule.cosineDecay(0.01f, 100, 0f), LearningRateSchedule.Unit.EPOCH)
 *     .withCallbacks(EarlyStopping.monitoring("val_loss").withPatience(10).withRestoreBestWeights(true)));
 * }</pre>
 */
public final class FitOptions {
  private static final Callback[] NO_CALLBACKS = {};

  // Not final only so that the with-methods can copy and change one field; never changed after.
  private int epochs;
  private int batchSize;
  private boolean shuffle;
  private long seed;
  private float[][] validationX;
  private float[][] validationY;
  private float[] validationWeights;
  private float[] classWeights;
  private Dataset validationData;
  private double validationSplit;
  private int progressEvery;
  private LearningRateSchedule schedule;
  private LearningRateSchedule.Unit scheduleUnit;
  private Callback[] callbacks;
  private GradientClipping gradientClipping;
  private boolean terminateOnNaN;
  private boolean diagnostics;
  private Verbosity verbosity;
  private ProgressPrinter printer;
  private int initialEpoch;
  private Metrics validationMetrics;

  private FitOptions(int epochs) {
    if (epochs < 1) {
      throw new IllegalArgumentException("epochs must be >= 1, was " + epochs);
    }
    this.epochs = epochs;
    this.batchSize = 32;
    this.shuffle = true;
    this.progressEvery = 1;
    this.callbacks = NO_CALLBACKS;
    this.terminateOnNaN = true;
    this.verbosity = Verbosity.AUTO;
    this.printer = ProgressPrinter.standardOutput();
  }

  private FitOptions(FitOptions from) {
    this.epochs = from.epochs;
    this.batchSize = from.batchSize;
    this.shuffle = from.shuffle;
    this.seed = from.seed;
    this.validationX = from.validationX;
    this.validationY = from.validationY;
    this.validationWeights = from.validationWeights;
    this.classWeights = from.classWeights;
    this.validationData = from.validationData;
    this.validationSplit = from.validationSplit;
    this.progressEvery = from.progressEvery;
    this.schedule = from.schedule;
    this.scheduleUnit = from.scheduleUnit;
    this.callbacks = from.callbacks;
    this.gradientClipping = from.gradientClipping;
    this.initialEpoch = from.initialEpoch;
    this.validationMetrics = from.validationMetrics;
    this.terminateOnNaN = from.terminateOnNaN;
    this.diagnostics = from.diagnostics;
    this.verbosity = from.verbosity;
    this.printer = from.printer;
  }

  /**
   * Defaults as Keras's: batch size 32, shuffled every epoch (seed 0), progress printed, no
   * schedule, callbacks or clipping; training stops on a NaN or infinite loss.
   */
  public static FitOptions epochs(int epochs) {
    return new FitOptions(epochs);
  }

  public FitOptions withBatchSize(int batchSize) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize must be >= 1, was " + batchSize);
    }
    FitOptions copy = new FitOptions(this);
    copy.batchSize = batchSize;
    return copy;
  }

  /** Reshuffle the training samples before every epoch, from this seed. */
  public FitOptions withShuffle(long seed) {
    FitOptions copy = new FitOptions(this);
    copy.shuffle = true;
    copy.seed = seed;
    return copy;
  }

  /** Visit the samples in their given order every epoch. */
  public FitOptions withoutShuffle() {
    FitOptions copy = new FitOptions(this);
    copy.shuffle = false;
    return copy;
  }

  /**
   * Evaluate on this data after every epoch ({@code val_loss}, {@code val_accuracy}); replaces
   * any validation data or split given before.
   */
  public FitOptions withValidation(float[][] x, float[][] y) {
    if (x == null || y == null) {
      throw new IllegalArgumentException("validation inputs and targets must both be given");
    }
    FitOptions copy = new FitOptions(this);
    copy.validationX = x;
    copy.validationY = y;
    copy.validationWeights = null;
    copy.validationData = null;
    copy.validationSplit = 0;
    return copy;
  }

  /**
   * As {@link #withValidation(float[][], float[][])}, with {@code val_loss} weighted per sample
   * (Keras's {@code validation_data=(x, y, sample_weight)}); checked when {@code fit} starts.
   */
  public FitOptions withValidation(float[][] x, float[][] y, float[] sampleWeights) {
    if (sampleWeights == null) {
      throw new IllegalArgumentException("validation sampleWeights must not be null");
    }
    FitOptions copy = withValidation(x, y);
    copy.validationWeights = sampleWeights;
    return copy;
  }

  /**
   * As {@link #withValidation(float[][], float[][])} with a dataset, read one batch at a time; a
   * dataset with sample weights ({@link Dataset#withSampleWeights}) gives a weighted {@code
   * val_loss}.
   */
  public FitOptions withValidation(Dataset data) {
    if (data == null) {
      throw new IllegalArgumentException("validation dataset must not be null");
    }
    FitOptions copy = new FitOptions(this);
    copy.validationX = null;
    copy.validationY = null;
    copy.validationWeights = null;
    copy.validationData = data;
    copy.validationSplit = 0;
    return copy;
  }

  /**
   * Keras's {@code validation_split}: the last {@code fraction} of the samples, taken before any
   * shuffling, become validation data (the first {@code floor(n * (1 - fraction))} samples train,
   * the rest validate); replaces any validation data given before. Shuffling then permutes the
   * training part only.
   */
  public FitOptions withValidationSplit(double fraction) {
    if (!(fraction > 0 && fraction < 1)) {
      throw new IllegalArgumentException("validation split must be in (0, 1), was " + fraction);
    }
    FitOptions copy = new FitOptions(this);
    copy.validationX = null;
    copy.validationY = null;
    copy.validationWeights = null;
    copy.validationData = null;
    copy.validationSplit = fraction;
    return copy;
  }

  /**
   * Keras's {@code class_weight} as an array: the loss of a sample (of each position, for a
   * sequence output) whose label is class c is multiplied by {@code perClass[c]}, times its sample
   * weight if it has one. The label is the argmax of a one-hot target row, the index of a sparse
   * target, the 0/1 target (rounded) of binary cross-entropy with one output. The batch loss is
   * the weighted sum divided by the number of samples (not by the sum of the weights: normalize
   * the weights for PyTorch's {@code CrossEntropyLoss(weight=...)}). Training data only:
   * validation and {@code evaluate} are not class-weighted. Replaces any class weights given
   * before.
   *
   * <p>{@code fit} checks that the network has a classification loss (not MSE or MAE; not binary
   * cross-entropy over several outputs) and that there is one weight per class.
   *
   * @throws IllegalArgumentException if a weight is negative, NaN or infinite (naming its index)
   */
  public FitOptions withClassWeights(float... perClass) {
    if (perClass == null) {
      throw new IllegalArgumentException("classWeights must not be null");
    }
    float[] weights = perClass.clone();
    for (int c = 0; c < weights.length; c++) {
      if (!(weights[c] >= 0) || weights[c] == Float.POSITIVE_INFINITY) {
        throw new IllegalArgumentException(
            "classWeights[" + c + "] is " + weights[c] + "; a loss weight must be finite and >= 0");
      }
    }
    FitOptions copy = new FitOptions(this);
    copy.classWeights = weights;
    return copy;
  }

  /**
   * As {@link #withClassWeights(float...)} from Keras's dictionary form, {@code {class: weight}};
   * {@code fit} requires a weight for every class of the output.
   *
   * @throws IllegalArgumentException for a negative class, or a weight that is null, negative, NaN
   *     or infinite (or overflows a float)
   */
  public FitOptions withClassWeights(java.util.Map<Integer, ? extends Number> perClass) {
    if (perClass == null) {
      throw new IllegalArgumentException("classWeights must not be null");
    }
    int classes = 0;
    for (Integer c : perClass.keySet()) {
      if (c == null || c < 0) {
        throw new IllegalArgumentException("classWeights has class " + c + "; classes are 0, 1, ...");
      }
      classes = Math.max(classes, c + 1);
    }
    float[] weights = new float[classes];
    java.util.Arrays.fill(weights, Float.NaN); // a class without a weight: fit names it
    for (java.util.Map.Entry<Integer, ? extends Number> entry : perClass.entrySet()) {
      Number value = entry.getValue();
      float weight = value == null ? Float.NaN : value.floatValue();
      if (!(weight >= 0) || weight == Float.POSITIVE_INFINITY) {
        throw new IllegalArgumentException("classWeights[" + entry.getKey() + "] is " + value
            + "; a loss weight must be finite and >= 0 (as a float)");
      }
      weights[entry.getKey()] = weight;
    }
    FitOptions copy = new FitOptions(this);
    copy.classWeights = weights;
    return copy;
  }

  /** The class weights (NaN for a class the map form left out), or null for none. */
  public float[] classWeights() {
    return classWeights == null ? null : classWeights.clone();
  }

  /** The validation sample weights given with {@link #withValidation(float[][], float[][], float[])}, or null. */
  float[] validationWeights() {
    return validationWeights;
  }

  /** The validation split (0 for none). */
  public double validationSplit() {
    return validationSplit;
  }

  /** Progress as {@link Verbosity#AUTO} every epoch (default), or nothing ({@link Verbosity#SILENT}). */
  public FitOptions withVerbose(boolean verbose) {
    return withProgressEvery(verbose ? 1 : 0);
  }

  /**
   * Keep the progress of every {@code epochs}-th epoch and the last ({@link Verbosity#LINES}: print
   * only their lines; {@link Verbosity#BAR}: the bar runs every epoch, and only these epochs' stay);
   * 0 prints nothing, as {@link Verbosity#SILENT}.
   */
  public FitOptions withProgressEvery(int epochs) {
    if (epochs < 0) {
      throw new IllegalArgumentException("progressEvery must be >= 0 (0 prints nothing), was " + epochs);
    }
    FitOptions copy = new FitOptions(this);
    if (epochs == 0) {
      copy.verbosity = Verbosity.SILENT;
    } else {
      copy.progressEvery = epochs;
      copy.verbosity = verbosity == Verbosity.SILENT ? Verbosity.AUTO : verbosity;
    }
    return copy;
  }

  /**
   * What fit prints: {@link Verbosity#AUTO} (default: a live bar on a terminal, one line per epoch
   * otherwise), {@link Verbosity#BAR}, {@link Verbosity#LINES} or {@link Verbosity#SILENT}.
   */
  public FitOptions withVerbosity(Verbosity verbosity) {
    FitOptions copy = new FitOptions(this);
    copy.verbosity = java.util.Objects.requireNonNull(verbosity, "verbosity");
    return copy;
  }

  /** Where progress goes; {@link ProgressPrinter#standardOutput()} by default. */
  public FitOptions withProgressPrinter(ProgressPrinter printer) {
    FitOptions copy = new FitOptions(this);
    copy.printer = java.util.Objects.requireNonNull(printer, "printer");
    return copy;
  }

  /**
   * Sets the optimizer's learning rate from {@code schedule} before every optimizer step ({@link
   * LearningRateSchedule.Unit#STEP}) or at the start of every epoch ({@link
   * LearningRateSchedule.Unit#EPOCH}), counting from 0 at the start of each fit. The history then
   * records {@code lr}, the rate of each epoch's last step. The optimizer keeps the last rate after
   * fit.
   */
  public FitOptions withSchedule(LearningRateSchedule schedule, LearningRateSchedule.Unit unit) {
    if (schedule == null || unit == null) {
      throw new IllegalArgumentException("a schedule needs both the schedule and its unit (STEP or EPOCH)");
    }
    FitOptions copy = new FitOptions(this);
    copy.schedule = schedule;
    copy.scheduleUnit = unit;
    return copy;
  }

  /** Calls these callbacks, in this order, during fit; replaces any given before. */
  public FitOptions withCallbacks(Callback... callbacks) {
    java.util.Objects.requireNonNull(callbacks, "callbacks");
    Callback[] copied = callbacks.clone();
    for (int i = 0; i < copied.length; i++) {
      if (copied[i] == null) {
        throw new IllegalArgumentException("callback " + i + " is null");
      }
    }
    FitOptions copy = new FitOptions(this);
    copy.callbacks = copied;
    return copy;
  }

  /** Clips the gradient before every optimizer step. */
  public FitOptions withGradientClipping(GradientClipping clipping) {
    if (clipping == null) {
      throw new IllegalArgumentException("gradient clipping must not be null");
    }
    FitOptions copy = new FitOptions(this);
    copy.gradientClipping = clipping;
    return copy;
  }

  /**
   * Whether a NaN or infinite training loss, or an optimizer step that would make a parameter or
   * the optimizer's state non-finite, stops fit with {@link
   * dev.kiln.runtime.training.TrainingDivergedException} (default on), that step not taken. Off,
   * training goes on whatever the loss and steps unchecked.
   */
  public FitOptions withTerminateOnNaN(boolean on) {
    FitOptions copy = new FitOptions(this);
    copy.terminateOnNaN = on;
    return copy;
  }

  /**
   * Records per-layer diagnostics in the history every epoch, from the epoch's last batch (the
   * seed's checks for vanishing or exploding gradients and dying ReLUs): {@code
   * grad_norm/<layer>} (L2 norm of the layer's parameter gradients, before clipping), {@code
   * activation_mean/<layer>}, {@code activation_std/<layer>} and, for ReLU and leaky ReLU outputs,
   * {@code dead_fraction/<layer>} (outputs {@code <= 0}).
   */
  public FitOptions withDiagnostics(boolean on) {
    FitOptions copy = new FitOptions(this);
    copy.diagnostics = on;
    return copy;
  }

  /**
   * Resume as if epochs 1..{@code initialEpoch} had already run in this same call (Keras's {@code
   * initial_epoch}): fit runs epochs {@code initialEpoch + 1} to {@link #epochs()}, with the shuffle
   * order, epoch-based schedule and step count those epochs would have had. With a checkpoint
   * ({@link ModelCore#saveCheckpoint}) 2 epochs, save, load, then {@code
   * epochs(4).withInitialEpoch(2)} equals 4 epochs bit for bit.
   */
  public FitOptions withInitialEpoch(int initialEpoch) {
    if (initialEpoch < 0 || initialEpoch >= epochs) {
      throw new IllegalArgumentException(
          "initialEpoch must be in [0, epochs) = [0, " + epochs + "), was " + initialEpoch);
    }
    FitOptions copy = new FitOptions(this);
    copy.initialEpoch = initialEpoch;
    return copy;
  }

  /**
   * Also compute these metrics on the validation data every epoch, recorded as {@code val_<name>}
   * ({@code val_f1}, {@code val_auc}, {@code val_precision[2]}) so callbacks can monitor them.
   */
  public FitOptions withValidationMetrics(Metrics metrics) {
    FitOptions copy = new FitOptions(this);
    copy.validationMetrics = java.util.Objects.requireNonNull(metrics, "metrics");
    return copy;
  }

  /** The metrics computed on validation data, or null for loss and accuracy only. */
  public Metrics validationMetrics() {
    return validationMetrics;
  }

  /** Epochs taken as already run (see {@link #withInitialEpoch}); 0 by default. */
  public int initialEpoch() {
    return initialEpoch;
  }

  public boolean diagnostics() {
    return diagnostics;
  }

  public int epochs() {
    return epochs;
  }

  public int batchSize() {
    return batchSize;
  }

  public boolean shuffle() {
    return shuffle;
  }

  public long seed() {
    return seed;
  }

  public boolean verbose() {
    return verbosity != Verbosity.SILENT;
  }

  public Verbosity verbosity() {
    return verbosity;
  }

  public ProgressPrinter progressPrinter() {
    return printer;
  }

  /** The learning-rate schedule, or null for the optimizer's own fixed rate. */
  public LearningRateSchedule schedule() {
    return schedule;
  }

  /** What the schedule's step counts, or null without a schedule. */
  public LearningRateSchedule.Unit scheduleUnit() {
    return scheduleUnit;
  }

  public List<Callback> callbacks() {
    return List.of(callbacks);
  }

  /** The gradient clipping, or null for none. */
  public GradientClipping gradientClipping() {
    return gradientClipping;
  }

  public boolean terminatesOnNaN() {
    return terminateOnNaN;
  }

  /** Whether to print a progress line after {@code epoch} (1-based). */
  boolean printsProgressAfter(int epoch) {
    return verbosity != Verbosity.SILENT && (epoch % progressEvery == 0 || epoch == epochs);
  }

  float[][] validationX() {
    return validationX;
  }

  float[][] validationY() {
    return validationY;
  }

  Dataset validationData() {
    return validationData;
  }

  Callback[] callbackArray() {
    return callbacks;
  }
}
