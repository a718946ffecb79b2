package dev.kiln.runtime;

import dev.kiln.runtime.data.Dataset;
import dev.kiln.runtime.internal.Accuracy;
import dev.kiln.runtime.internal.BatchData;
import dev.kiln.runtime.internal.CompiledNetwork;
import dev.kiln.runtime.internal.Diagnostics;
import dev.kiln.runtime.internal.NetworkInfo;
import dev.kiln.runtime.internal.ParameterLayout;
import dev.kiln.runtime.optim.Optimizer;
import dev.kiln.runtime.training.Callback;
import dev.kiln.runtime.training.EarlyStopping;
import dev.kiln.runtime.training.GradientClipping;
import dev.kiln.runtime.training.LearningRateSchedule;
import dev.kiln.runtime.training.ReduceLROnPlateau;
import dev.kiln.runtime.training.TrainingContext;
import dev.kiln.runtime.training.TrainingDivergedException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * The training loop of {@code fit}: epochs of seeded shuffled batches, the scheduled learning
 * rate, gradient clipping, the optimizer step, metrics, validation, progress lines and callbacks.
 * Per step it loads the batch, runs forward and backward, and steps the optimizer, allocating
 * nothing; per-epoch work (metrics, validation, callbacks' epoch end) may allocate.
 */
final class Trainer {
  /** How the trainer evaluates validation data (the model's own inference-mode evaluation). */
  @FunctionalInterface
  interface Validation {
    Evaluation evaluate(Dataset data);
  }

  private final CompiledNetwork net;
  private final NetworkInfo info;
  private final BatchData data;
  private final ParameterLayout layout;
  private final Optimizer optimizer;
  private final Validation validation;
  private final TrainingContext context;

  Trainer(CompiledNetwork net, BatchData data, ParameterLayout layout, Optimizer optimizer, Validation validation,
      TrainingContext context) {
    this.net = net;
    this.info = net.info();
    this.data = data;
    this.layout = layout;
    this.optimizer = optimizer;
    this.validation = validation;
    this.context = context;
  }

  /** From arrays; {@code sampleWeights} (one per sample) weights the loss, null for none. */
  History fit(List<float[][]> inputs, float[][] y, float[] sampleWeights, FitOptions options) {
    Objects.requireNonNull(options, "options");
    float[][][] x = data.inputArrays(inputs, BatchData.DataRole.TRAINING).clone(); // callbacks may use the scratch
    data.checkData(x, y, BatchData.DataRole.TRAINING);
    Dataset all = Dataset.of(java.util.Arrays.asList(x), y);
    if (sampleWeights != null) {
      BatchData.checkSampleWeights(sampleWeights, y.length, "sampleWeights");
      all = all.withSampleWeights(sampleWeights);
    }
    return fit(all, options);
  }

  /**
   * Trains from a dataset: the same loop, loading each batch through the dataset. Over the same
   * arrays, the float[][] path and this one take the same steps on the same values.
   */
  History fit(Dataset all, FitOptions options) {
    Objects.requireNonNull(options, "options");
    data.checkDataset(all, BatchData.DataRole.TRAINING);
    float[] classWeights = options.classWeights();
    if (classWeights != null) {
      data.checkClassWeights(classWeights);
    }
    Dataset train = all;
    Dataset validationData = options.validationData();
    if (options.validationSplit() > 0) {
      int cut = (int) Math.floor(all.size() * (1.0 - options.validationSplit()));
      if (cut < 1 || cut >= all.size()) {
        throw new IllegalArgumentException("validation split " + options.validationSplit() + " of " + all.size()
            + " samples leaves " + cut + " for training and " + (all.size() - cut)
            + " for validation; each needs at least one");
      }
      train = all.range(0, cut);
      validationData = all.range(cut, all.size());
    } else if (options.validationX() != null) {
      float[][][] validationX = data.inputArrays(data.single(options.validationX()), BatchData.DataRole.VALIDATION).clone();
      data.checkData(validationX, options.validationY(), BatchData.DataRole.VALIDATION);
      validationData = Dataset.of(java.util.Arrays.asList(validationX), options.validationY());
      if (options.validationWeights() != null) {
        BatchData.checkSampleWeights(options.validationWeights(), validationData.size(), "validation sampleWeights");
        validationData = validationData.withSampleWeights(options.validationWeights());
      }
    }
    if (validationData != null) {
      data.checkDataset(validationData, BatchData.DataRole.VALIDATION);
    }
    data.checkBatchSize(options.batchSize());
    Callback[] callbacks = options.callbackArray();
    Diagnostics diagnostics = options.diagnostics() ? new Diagnostics(info) : null;
    java.util.Set<String> recorded = recordedNames(options, diagnostics, validationData != null, callbacks);
    for (Callback callback : callbacks) {
      callback.checkRecordedNames(recorded); // a misspelt monitor fails now, not after epoch 1
    }
    FitRun run = new FitRun(options, train, validationData, classWeights, diagnostics, callbacks);
    recordParams(run.history, options, run.samples);
    for (Callback callback : callbacks) {
      callback.onTrainBegin(context);
    }
    run.replayEpochsBefore(options.initialEpoch() + 1);
    for (int epoch = options.initialEpoch() + 1; epoch <= options.epochs(); epoch++) {
      if (run.epoch(epoch)) {
        break;
      }
    }
    History history = run.history;
    Callback stopper = stopRequested(callbacks);
    for (Callback callback : callbacks) {
      callback.onTrainEnd(history, context);
    }
    EarlyStopping earlyStopping = stopper instanceof EarlyStopping ? (EarlyStopping) stopper : firstEarlyStopping(callbacks);
    if (earlyStopping != null) {
      history.recordBest(earlyStopping.bestEpoch(), earlyStopping.bestWeightsRestored());
    }
    String line = endOfTrainingLine(history, stopper, earlyStopping);
    if (line != null) {
      run.progress.message(line);
    }
    return history;
  }

  /**
   * One call of {@code fit}: what it resolved from its options, and the counters its epochs
   * advance. An epoch and a step are methods of their own, so the JIT compiles them after a few
   * hundred calls (a loop inside one long method waits for on-stack replacement: XOR's 1000
   * one-step epochs ran interpreted for its first dozen fits).
   */
  private final class FitRun {
    final FitOptions options;
    final Dataset train;
    final Dataset validationData;
    final float[] classWeights;
    final int samples;
    final int batchSize;
    final int[] order;
    final SplittableRandom shuffler;
    final LearningRateSchedule schedule;
    final boolean schedulePerStep;
    final GradientClipping clipping;
    final int[] tensorOffsets;
    final int[] tensorSizes;
    final boolean terminateOnNaN;
    final Diagnostics diagnostics;
    final Callback[] callbacks;
    final History history = new History();
    /**
     * The epoch's values, in one map for the whole fit: every epoch puts the same names, so a put
     * replaces a value in place (a fit of many short epochs, Iris's, allocated a map an epoch).
     */
    final Map<String, Double> epochValues = new LinkedHashMap<>();
    final boolean recordRate;
    final Progress progress;
    final double accuracyUnits;
    /** Optimizer steps taken (per-step schedules read it). */
    int step;
    // The running epoch's sums.
    double lossSum;
    long correct;
    int seen;
    int batch;

    FitRun(FitOptions options, Dataset train, Dataset validationData, float[] classWeights, Diagnostics diagnostics,
        Callback[] callbacks) {
      this.options = options;
      this.train = train;
      this.validationData = validationData;
      this.classWeights = classWeights;
      this.samples = train.size();
      this.batchSize = options.batchSize();
      this.order = new int[samples];
      for (int i = 0; i < samples; i++) {
        order[i] = i;
      }
      this.shuffler = new SplittableRandom(options.seed());
      this.schedule = options.schedule();
      this.schedulePerStep = schedule != null && options.scheduleUnit() == LearningRateSchedule.Unit.STEP;
      this.clipping = options.gradientClipping();
      this.tensorOffsets = clipping == null ? null : GradientClipping.tensorOffsets(info, layout.frozenLayers());
      this.tensorSizes = clipping == null ? null : GradientClipping.tensorSizes(info, layout.frozenLayers());
      this.terminateOnNaN = options.terminatesOnNaN();
      this.diagnostics = diagnostics;
      this.callbacks = callbacks;
      this.recordRate = schedule != null || adjustsRate(callbacks);
      this.progress = new Progress(options.verbosity().resolve(), options.progressPrinter(), options.epochs(),
          stepsPerEpoch());
      this.accuracyUnits = info.accuracy() != Accuracy.NONE ? data.accuracyUnits() : 0;
    }

    int stepsPerEpoch() {
      return (samples + batchSize - 1) / batchSize;
    }

    /** Resuming at {@code firstEpoch}: replays what the epochs before it drew from the shuffler. */
    void replayEpochsBefore(int firstEpoch) {
      for (int skipped = 1; skipped < firstEpoch; skipped++) {
        if (options.shuffle()) {
          shuffle(order, shuffler);
        }
        step += stepsPerEpoch();
      }
    }

    /** Trains one epoch and records it; true when a callback stopped training. */
    boolean epoch(int epoch) {
      if (options.shuffle()) {
        shuffle(order, shuffler);
      }
      if (schedule != null && !schedulePerStep) {
        applyScheduledRate(schedule, epoch - 1);
      }
      lossSum = 0;
      correct = 0;
      seen = 0;
      batch = 0;
      boolean stop = false;
      long started = System.nanoTime();
      progress.epochBegin(epoch);
      for (int from = 0; from < samples && !stop; from += batchSize) {
        stop = step(epoch, from, Math.min(batchSize, samples - from));
      }
      double seconds = (System.nanoTime() - started) / 1e9;
      epochValues.put("loss", lossSum / seen);
      if (info.accuracy() != Accuracy.NONE) {
        epochValues.put("accuracy", correct / (double) ((long) seen * data.accuracyUnits()));
      }
      if (validationData != null) {
        Evaluation validated = validation.evaluate(validationData);
        epochValues.put("val_loss", validated.loss());
        if (info.accuracy() != Accuracy.NONE) {
          epochValues.put("val_accuracy", validated.accuracy());
        }
        validated.metrics().forEach((name, value) -> epochValues.put("val_" + name, value));
      }
      if (recordRate) {
        epochValues.put("lr", (double) optimizer.learningRate());
      }
      if (diagnostics != null) {
        diagnostics.record(epochValues);
      }
      epochValues.put("seconds", seconds);
      history.record(epochValues);
      // The epoch a callback stopped at is always shown, whatever progressEvery says.
      boolean shown = options.printsProgressAfter(epoch) || stop;
      progress.epochEnd(batch, seconds, epochValues, shown);
      for (Callback callback : callbacks) {
        callback.onEpochEnd(epoch, history, context);
      }
      if (stopRequested(callbacks) != null) {
        if (!shown) {
          progress.epochEnd(batch, seconds, epochValues, true);
        }
        history.recordStop(epoch);
        return true;
      }
      return false;
    }

    /** One batch of {@code n} samples from {@code from}: forward, backward, optimizer step; true when a callback asks to stop. */
    boolean step(int epoch, int from, int n) {
      batch++;
      data.loadBatch(train, order, from, n, BatchData.DataRole.TRAINING, classWeights);
      net.runForward(n, true);
      correct += data.countCorrect(n);
      double loss = net.runBackward(n);
      if (diagnostics != null && from + batchSize >= samples) {
        diagnostics.capture(net, n);
      }
      if (terminateOnNaN && !Double.isFinite(loss)) {
        throw new TrainingDivergedException(epoch, batch, loss, history, layout.allFinite());
      }
      if (clipping != null) {
        clipping.clip(net.gradientArray(), tensorOffsets, tensorSizes);
      }
      if (schedulePerStep) {
        applyScheduledRate(schedule, step);
      }
      if (!terminateOnNaN) {
        layout.step(optimizer);
      } else if (!layout.stepIfFinite(optimizer)) {
        throw TrainingDivergedException.stepNotFinite(epoch, batch, loss, history);
      }
      step++;
      lossSum += loss * n;
      seen += n;
      for (Callback callback : callbacks) {
        callback.onBatchEnd(epoch, batch, loss);
      }
      boolean stop = stopRequested(callbacks) != null;
      progress.step(batch, lossSum / seen, accuracyUnits > 0 ? correct / (seen * accuracyUnits) : Double.NaN);
      return stop;
    }
  }

  /** The names every epoch will record, in the order of the loop below (keep the two in step). */
  private java.util.Set<String> recordedNames(FitOptions options, Diagnostics diagnostics, boolean validating,
      Callback[] callbacks) {
    Map<String, Double> names = new LinkedHashMap<>();
    names.put("loss", 0.0);
    if (info.accuracy() != Accuracy.NONE) {
      names.put("accuracy", 0.0);
    }
    if (validating) {
      names.put("val_loss", 0.0);
      if (info.accuracy() != Accuracy.NONE) {
        names.put("val_accuracy", 0.0);
      }
      if (options.validationMetrics() != null) {
        for (Metric metric : options.validationMetrics().list()) {
          names.put("val_" + metric.name(), 0.0);
        }
      }
    }
    if (options.schedule() != null || adjustsRate(callbacks)) {
      names.put("lr", 0.0);
    }
    if (diagnostics != null) {
      diagnostics.record(names);
    }
    names.put("seconds", 0.0);
    return java.util.Collections.unmodifiableSet(names.keySet());
  }

  /** Sets the optimizer's rate from the schedule; allocates only to report a bad rate. */

  private void applyScheduledRate(LearningRateSchedule schedule, int step) {
    float rate = schedule.learningRate(step);
    if (!(rate >= 0) || Float.isInfinite(rate)) {
      throw new IllegalArgumentException(
          "learning-rate schedule " + schedule + " gave " + rate + " at step " + step
              + "; a learning rate must be finite and >= 0");
    }
    optimizer.setLearningRate(rate);
  }

  /** Keras's {@code history.params}, plus the optimizer and its starting rate. */
  private void recordParams(History history, FitOptions options, int samples) {
    history.recordParam("optimizer", optimizer.describe());
    history.recordParam("learning_rate", Float.toString(optimizer.learningRate()));
    history.recordParam("batch_size", Integer.toString(options.batchSize()));
    history.recordParam("epochs", Integer.toString(options.epochs()));
    history.recordParam("samples", Integer.toString(samples));
    history.recordParam("steps", Integer.toString((samples + options.batchSize() - 1) / options.batchSize()));
    if (options.schedule() != null) {
      history.recordParam("schedule", options.schedule() + " per " + options.scheduleUnit().name().toLowerCase(Locale.ROOT));
    }
  }

  /** Whether a callback changes the learning rate (then the history records {@code lr}). */
  private static boolean adjustsRate(Callback[] callbacks) {
    for (Callback callback : callbacks) {
      if (callback instanceof ReduceLROnPlateau) {
        return true;
      }
    }
    return false;
  }

  /** The first callback asking to stop, or null. */
  private static Callback stopRequested(Callback[] callbacks) {
    for (Callback callback : callbacks) {
      if (callback.stopTraining()) {
        return callback;
      }
    }
    return null;
  }

  private static EarlyStopping firstEarlyStopping(Callback[] callbacks) {
    for (Callback callback : callbacks) {
      if (callback instanceof EarlyStopping) {
        return (EarlyStopping) callback;
      }
    }
    return null;
  }

  /** What fit prints when a callback stopped it or best weights were put back; null for nothing. */
  private static String endOfTrainingLine(History history, Callback stopper, EarlyStopping earlyStopping) {
    String best = "";
    if (earlyStopping != null && earlyStopping.bestEpoch() > 0) {
      best = "best " + earlyStopping.monitor() + " "
          + String.format(Locale.ROOT, "%.4f", earlyStopping.bestValue()) + " at epoch " + earlyStopping.bestEpoch();
    }
    String weights = history.bestWeightsRestored()
        ? ", weights restored"
        : ", weights of epoch " + history.epochs() + " kept";
    if (stopper != null && stopper == earlyStopping) {
      return "Early stopping at epoch " + history.stoppedEpoch() + (best.isEmpty() ? "" : ": " + best) + weights;
    }
    if (stopper != null) {
      return "Training stopped at epoch " + history.stoppedEpoch() + " by " + stopper;
    }
    if (history.bestWeightsRestored()) {
      return "Restored the weights of epoch " + earlyStopping.bestEpoch() + ": " + best;
    }
    return null;
  }

  private static void shuffle(int[] order, SplittableRandom random) {
    for (int i = order.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
  }
}
