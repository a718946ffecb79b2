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

  History fit(List<float[][]> inputs, float[][] y, FitOptions options) {
    Objects.requireNonNull(options, "options");
    float[][][] x = data.inputArrays(inputs, BatchData.DataRole.TRAINING).clone(); // callbacks may use the scratch
    data.checkData(x, y, BatchData.DataRole.TRAINING);
    return fit(Dataset.of(java.util.Arrays.asList(x), y), options);
  }

  /**
   * Trains from a dataset: the same loop, loading each batch through the dataset. Over the same
   * arrays, the float[][] path and this one take the same steps on the same values.
   */
  History fit(Dataset all, FitOptions options) {
    Objects.requireNonNull(options, "options");
    data.checkDataset(all, BatchData.DataRole.TRAINING);
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
    }
    if (validationData != null) {
      data.checkDataset(validationData, BatchData.DataRole.VALIDATION);
    }
    int batchSize = options.batchSize();
    data.checkBatchSize(batchSize);
    int samples = train.size();
    int[] order = new int[samples];
    for (int i = 0; i < samples; i++) {
      order[i] = i;
    }
    SplittableRandom shuffler = new SplittableRandom(options.seed());
    LearningRateSchedule schedule = options.schedule();
    boolean schedulePerStep = schedule != null && options.scheduleUnit() == LearningRateSchedule.Unit.STEP;
    GradientClipping clipping = options.gradientClipping();
    int[] tensorOffsets = clipping == null ? null : GradientClipping.tensorOffsets(info, layout.frozenLayers());
    int[] tensorSizes = clipping == null ? null : GradientClipping.tensorSizes(info, layout.frozenLayers());
    boolean terminateOnNaN = options.terminatesOnNaN();
    Diagnostics diagnostics = options.diagnostics() ? new Diagnostics(info) : null;
    Callback[] callbacks = options.callbackArray();
    History history = new History();
    for (Callback callback : callbacks) {
      callback.onTrainBegin(context);
    }
    int step = 0;
    for (int epoch = 1; epoch <= options.epochs(); epoch++) {
      if (options.shuffle()) {
        shuffle(order, shuffler);
      }
      if (schedule != null && !schedulePerStep) {
        applyScheduledRate(schedule, epoch - 1);
      }
      double lossSum = 0;
      long correct = 0;
      int seen = 0;
      int batch = 0;
      boolean stop = false;
      long started = System.nanoTime();
      for (int from = 0; from < samples && !stop; from += batchSize) {
        int n = Math.min(batchSize, samples - from);
        batch++;
        data.loadBatch(train, order, from, n, BatchData.DataRole.TRAINING);
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
        layout.step(optimizer);
        step++;
        lossSum += loss * n;
        seen += n;
        for (Callback callback : callbacks) {
          callback.onBatchEnd(epoch, batch, loss);
        }
        stop = stopRequested(callbacks) != null;
      }
      double seconds = (System.nanoTime() - started) / 1e9;
      Map<String, Double> epochValues = new LinkedHashMap<>();
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
      }
      if (schedule != null) {
        epochValues.put("lr", (double) optimizer.learningRate());
      }
      if (diagnostics != null) {
        diagnostics.record(epochValues);
      }
      epochValues.put("seconds", seconds);
      history.record(epochValues);
      if (options.printsProgressAfter(epoch)) {
        System.out.println(progressLine(epoch, options.epochs(), batch, seconds, epochValues));
      }
      for (Callback callback : callbacks) {
        callback.onEpochEnd(epoch, history, context);
      }
      if (stopRequested(callbacks) != null) {
        history.recordStop(epoch);
        break;
      }
    }
    Callback stopper = stopRequested(callbacks);
    for (Callback callback : callbacks) {
      callback.onTrainEnd(history, context);
    }
    EarlyStopping earlyStopping = stopper instanceof EarlyStopping ? (EarlyStopping) stopper : firstEarlyStopping(callbacks);
    if (earlyStopping != null) {
      history.recordBest(earlyStopping.bestEpoch(), earlyStopping.bestWeightsRestored());
    }
    if (options.verbose()) {
      String line = endOfTrainingLine(history, stopper, earlyStopping);
      if (line != null) {
        System.out.println(line);
      }
    }
    return history;
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

  private static String progressLine(
      int epoch, int epochs, int steps, double seconds, Map<String, Double> values) {
    StringBuilder line = new StringBuilder();
    line.append("Epoch ").append(epoch).append('/').append(epochs).append(" - ").append(steps).append(steps == 1 ? " step" : " steps");
    for (Map.Entry<String, Double> e : values.entrySet()) {
      if (!e.getKey().equals("seconds")) {
        String format = e.getKey().equals("lr") ? "%.4g" : "%.4f";
        line.append(" - ").append(e.getKey()).append(": ").append(String.format(Locale.ROOT, format, e.getValue()));
      }
    }
    line.append(" - ").append(formatStepTime(seconds / steps));
    return line.toString();
  }

  private static String formatStepTime(double seconds) {
    if (seconds >= 1e-3) {
      return String.format(Locale.ROOT, "%.2f ms/step", seconds * 1e3);
    }
    return String.format(Locale.ROOT, "%.1f us/step", seconds * 1e6);
  }
}
