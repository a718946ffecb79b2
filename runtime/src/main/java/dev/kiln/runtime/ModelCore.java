package dev.kiln.runtime;

import dev.kiln.runtime.optim.Optimizer;
import dev.kiln.runtime.training.Callback;
import dev.kiln.runtime.training.EarlyStopping;
import dev.kiln.runtime.training.GradientClipping;
import dev.kiln.runtime.training.LearningRateSchedule;
import dev.kiln.runtime.training.TrainingDivergedException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Drives a {@link CompiledNetwork}: batching, shuffling, the optimizer step, metrics and
 * validation of what users pass in. Every check on user data happens once per call, before the
 * hot loop; the loop itself only copies rows into preallocated buffers and calls the generated
 * passes, so a training step and a prediction allocate nothing.
 *
 * <p>Not thread-safe: one model instance serves one thread at a time.
 */
public final class ModelCore {
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
  private final Map<String, Layer> layers = new LinkedHashMap<>();
  private final CompiledNetwork.Factory factory;
  private final int trainableCount;
  /** From/to pairs of the parameters the optimizer updates: trainable tensors of unfrozen layers. */
  private final int[] trainableRanges;
  private int trainableRangeCount;
  private final java.util.Set<String> frozenLayers = new java.util.LinkedHashSet<>();
  private Optimizer optimizer;
  private boolean checkInputs;

  /**
   * Initializes the network's parameters from {@code seed} and takes {@code optimizer} as the
   * default optimizer.
   */
  public ModelCore(CompiledNetwork net, Optimizer optimizer, long seed) {
    this(net, null, optimizer, seed);
  }

  /**
   * As above; {@code factory} creates further programs of the same network for {@link
   * #inference()} (generated models pass one).
   */
  public ModelCore(CompiledNetwork net, CompiledNetwork.Factory factory, Optimizer optimizer, long seed) {
    this.factory = factory;
    this.net = net;
    this.info = net.info();
    this.inputSizes = new int[info.inputs().size()];
    this.scratchInputs = new float[inputSizes.length][][];
    for (int i = 0; i < inputSizes.length; i++) {
      inputSizes[i] = info.inputSize(i);
    }
    this.outputSize = info.outputSize();
    this.targetSize = info.targetSize();
    this.optimizer = optimizer;
    SplittableRandom random = new SplittableRandom(seed);
    net.initialize(random);
    net.noise[0] = random.nextLong();
    this.trainableCount = info.trainableParameterCount();
    int tensors = 0;
    for (LayerInfo layer : info.layers()) {
      tensors += layer.tensors().size();
    }
    this.trainableRanges = new int[2 * Math.max(1, tensors)];
    updateTrainableRanges();
    for (LayerInfo layer : info.layers()) {
      layers.put(layer.name(), new LayerHandle(layer, net.params, this));
    }
  }

  public NetworkInfo info() {
    return info;
  }

  /** The handle of a declared layer. */
  public Layer layer(String name) {
    Layer layer = layers.get(name);
    if (layer == null) {
      throw new IllegalArgumentException("no layer '" + name + "'; layers are " + layers.keySet());
    }
    return layer;
  }

  public int maxBatch() {
    return net.maxBatch;
  }

  public Optimizer optimizer() {
    return optimizer;
  }

  /** Replaces the optimizer; its state must cover {@link NetworkInfo#parameterCount()} values. */
  public void setOptimizer(Optimizer optimizer) {
    this.optimizer = java.util.Objects.requireNonNull(optimizer, "optimizer");
  }

  /**
   * A thread-safe predictor over a snapshot of the current parameters: any number of threads may
   * call it at once, without locks (each thread gets its own buffers on first use, all threads read
   * the one parameter copy). Training this model afterwards does not change the snapshot; take a
   * new one to serve newer weights.
   */
  public Inference inference() {
    if (factory == null) {
      throw new UnsupportedOperationException("this network was built without a program factory");
    }
    return new Inference(info, factory, net.params.clone(), net.maxBatch);
  }

  /**
   * Freezes or unfreezes a layer: a frozen layer's parameters keep their values (the optimizer
   * skips them, its state for them is kept) and the summary counts them as non-trainable.
   */
  public void setTrainable(String layer, boolean trainable) {
    layer(layer); // checks the name
    if (trainable) {
      frozenLayers.remove(layer);
    } else {
      frozenLayers.add(layer);
    }
    updateTrainableRanges();
  }

  /** Whether the layer's parameters are updated by training. */
  public boolean isTrainable(String layer) {
    layer(layer);
    return !frozenLayers.contains(layer);
  }

  /** The tensors gradient clipping sees, adjacent ones merged: one definition of "updated". */
  private void updateTrainableRanges() {
    int[] offsets = GradientClipping.tensorOffsets(info, frozenLayers);
    int[] sizes = GradientClipping.tensorSizes(info, frozenLayers);
    int count = 0;
    for (int t = 0; t < offsets.length; t++) {
      int from = offsets[t];
      int to = from + sizes[t];
      if (count > 0 && trainableRanges[2 * count - 1] == from) {
        trainableRanges[2 * count - 1] = to; // adjacent: extend the previous range
      } else {
        trainableRanges[2 * count] = from;
        trainableRanges[2 * count + 1] = to;
        count++;
      }
    }
    trainableRangeCount = count;
  }

  /** One optimizer step over the trainable parameters of the unfrozen layers. */
  private void stepOptimizer() {
    if (frozenLayers.isEmpty()) {
      optimizer.step(net.params, net.grads, 0, trainableCount);
    } else {
      optimizer.step(net.params, net.grads, trainableRanges, trainableRangeCount);
    }
  }

  /**
   * Restarts the noise stream (dropout masks, Gaussian noise) from {@code seed}: the same seed
   * gives the same masks for the same sequence of calls.
   */
  public void setNoiseSeed(long seed) {
    net.noise[0] = seed;
  }

  /**
   * The mean loss on one batch without computing gradients; {@code training} selects batch
   * statistics and active dropout/noise (as in a training step) or inference behaviour. In training
   * mode batch normalization's moving statistics are updated, as in a training step.
   */
  public double loss(float[][] x, float[][] y, boolean training) {
    return loss(single(x), y, training);
  }

  /** As {@link #loss(float[][], float[][], boolean)} for a network with several inputs, in declaration order. */
  public double loss(List<float[][]> inputs, float[][] y, boolean training) {
    int n = loadBatchForPass(inputs, y);
    net.forward(n, training);
    return net.loss(n);
  }

  /** When on, inputs are checked for NaN and infinity before use (off by default). */
  public void setInputChecks(boolean on) {
    this.checkInputs = on;
  }

  /** A copy of all parameters, in the flat layout the layers' {@link TensorSlice}s describe. */
  public float[] parameters() {
    return net.params.clone();
  }

  /** Replaces all parameters; the length must be {@link NetworkInfo#parameterCount()}. */
  public void setParameters(float[] values) {
    if (values.length != net.params.length) {
      throw new IllegalArgumentException(
          "expected " + net.params.length + " parameters, got " + values.length);
    }
    System.arraycopy(values, 0, net.params, 0, values.length);
  }

  /** A copy of the gradients from the last training step (same layout as the parameters). */
  public float[] gradients() {
    return net.grads.clone();
  }

  // ---------------------------------------------------------------- training

  /**
   * Trains for {@code options.epochs()} epochs. Per step: load the batch, forward, backward (the
   * loss), stop with {@link TrainingDivergedException} if the loss is not finite (unless turned
   * off), clip the gradient, set the scheduled learning rate, take the optimizer step, call the
   * callbacks. Nothing in a step allocates; per-epoch work (metrics, validation, callbacks' epoch
   * end) may.
   */
  public History fit(float[][] x, float[][] y, FitOptions options) {
    return fit(single(x), y, options);
  }

  /**
   * As {@link #fit(float[][], float[][], FitOptions)} for a network with several inputs: one array
   * per input, in declaration order, each with one row per sample.
   */
  public History fit(List<float[][]> inputs, float[][] y, FitOptions options) {
    float[][][] x = inputArrays(inputs, DataRole.TRAINING).clone(); // callbacks may use the scratch
    checkData(x, y, DataRole.TRAINING);
    float[][][] validationX = null;
    if (options.validationX() != null) {
      validationX = inputArrays(single(options.validationX()), DataRole.VALIDATION).clone();
      checkData(validationX, options.validationY(), DataRole.VALIDATION);
    }
    int batchSize = options.batchSize();
    checkBatchSize(batchSize);
    int samples = x[0].length;
    int[] order = new int[samples];
    for (int i = 0; i < samples; i++) {
      order[i] = i;
    }
    SplittableRandom shuffler = new SplittableRandom(options.seed());
    LearningRateSchedule schedule = options.schedule();
    boolean schedulePerStep = schedule != null && options.scheduleUnit() == LearningRateSchedule.Unit.STEP;
    GradientClipping clipping = options.gradientClipping();
    int[] tensorOffsets = clipping == null ? null : GradientClipping.tensorOffsets(info, frozenLayers);
    int[] tensorSizes = clipping == null ? null : GradientClipping.tensorSizes(info, frozenLayers);
    boolean terminateOnNaN = options.terminatesOnNaN();
    Diagnostics diagnostics = options.diagnostics() ? new Diagnostics(info) : null;
    Callback[] callbacks = options.callbackArray();
    History history = new History();
    for (Callback callback : callbacks) {
      callback.onTrainBegin(this);
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
        loadBatch(x, y, order, from, n);
        net.forward(n, true);
        correct += countCorrect(n);
        double loss = net.backward(n);
        if (diagnostics != null && from + batchSize >= samples) {
          diagnostics.capture(net, n);
        }
        if (terminateOnNaN && !Double.isFinite(loss)) {
          throw new TrainingDivergedException(epoch, batch, loss, history, allFinite(net.params));
        }
        if (clipping != null) {
          clipping.clip(net.grads, tensorOffsets, tensorSizes);
        }
        if (schedulePerStep) {
          applyScheduledRate(schedule, step);
        }
        stepOptimizer();
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
        epochValues.put("accuracy", correct / (double) ((long) seen * accuracyUnits()));
      }
      if (options.validationX() != null) {
        Evaluation validation = evaluateChecked(validationX, options.validationY());
        epochValues.put("val_loss", validation.loss());
        if (info.accuracy() != Accuracy.NONE) {
          epochValues.put("val_accuracy", validation.accuracy());
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
        callback.onEpochEnd(epoch, history, this);
      }
      if (stopRequested(callbacks) != null) {
        history.recordStop(epoch);
        break;
      }
    }
    Callback stopper = stopRequested(callbacks);
    for (Callback callback : callbacks) {
      callback.onTrainEnd(history, this);
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

  private static boolean allFinite(float[] values) {
    for (float v : values) {
      if (!Float.isFinite(v)) {
        return false;
      }
    }
    return true;
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

  /**
   * Computes the loss on one batch and the gradient of every parameter (see {@link #gradients()}),
   * without changing the parameters: for gradient inspection and custom training loops.
   *
   * @return the mean loss over the batch
   */
  public double computeGradients(float[][] x, float[][] y) {
    return computeGradients(single(x), y);
  }

  /** As {@link #computeGradients(float[][], float[][])} for a network with several inputs. */
  public double computeGradients(List<float[][]> inputs, float[][] y) {
    int n = loadBatchForPass(inputs, y);
    net.forward(n, true);
    return backward(n, true, false, true);
  }

  /**
   * The gradient of the loss with respect to the input, for a custom training loop (a GAN's
   * generator learns through its discriminator this way): runs the batch forward in training mode,
   * as {@link #computeGradients} does, and writes d loss / d x into {@code inputGradient} ([n
   * samples][input size]). Parameter gradients are not computed: {@link #gradients()} keeps what it
   * held.
   *
   * @return the mean loss over the batch
   */
  public double backwardToInput(float[][] x, float[][] y, float[][] inputGradient) {
    return backwardToInput(single(x), y, singleGradient(inputGradient));
  }

  /** As {@link #backwardToInput(float[][], float[][], float[][])} with one gradient array per input. */
  public double backwardToInput(List<float[][]> inputs, float[][] y, List<float[][]> inputGradients) {
    int n = loadBatchForPass(inputs, y);
    checkGradientArrays(inputGradients, n);
    net.forward(n, true);
    double loss = backward(n, false, true, true);
    copyInputGradients(inputGradients, n);
    return loss;
  }

  /**
   * The gradients with respect to the input for a given gradient with respect to the output
   * ({@code outputGradient}, [n][output size]) instead of the loss: the chain rule through this
   * network, for a loss computed elsewhere. Runs the batch forward in training mode; computes the
   * parameter gradients too when {@code parameterGradients} is true (then {@link #gradients()}
   * holds them, and an optimizer step can follow).
   */
  public void backwardFromOutput(float[][] x, float[][] outputGradient, float[][] inputGradient,
      boolean parameterGradients) {
    Objects.requireNonNull(x, "x");
    Objects.requireNonNull(outputGradient, "outputGradient");
    float[][][] xs = inputArrays(single(x), DataRole.BATCH);
    checkInputs(xs, DataRole.BATCH);
    int n = x.length;
    checkBatchSize(n);
    if (outputGradient.length != n) {
      throw new IllegalArgumentException("outputGradient has " + outputGradient.length + " rows for " + n + " samples");
    }
    if (inputGradient != null) {
      checkGradientArrays(singleGradient(inputGradient), n);
    }
    loadInputs(xs, null, 0, n);
    net.forward(n, true);
    float[] dy = net.outputGradient();
    for (int r = 0; r < n; r++) {
      if (outputGradient[r] == null || outputGradient[r].length != outputSize) {
        throw new IllegalArgumentException("outputGradient row " + r + " must have " + outputSize + " values");
      }
      System.arraycopy(outputGradient[r], 0, dy, r * outputSize, outputSize);
    }
    backward(n, parameterGradients, inputGradient != null, false);
    if (inputGradient != null) {
      copyInputGradients(singleGradient(inputGradient), n);
    }
  }

  /** One backward pass with the given parts switched on; the flags are reset for training steps. */
  private double backward(int n, boolean parameterGradients, boolean inputGradients, boolean fromLoss) {
    net.parameterGradients = parameterGradients;
    net.inputGradients = inputGradients;
    net.lossGradient = fromLoss;
    try {
      return net.backward(n);
    } finally {
      net.parameterGradients = true;
      net.inputGradients = false;
      net.lossGradient = true;
    }
  }

  private void checkGradientArrays(List<float[][]> gradients, int n) {
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

  private void copyInputGradients(List<float[][]> gradients, int n) {
    for (int i = 0; i < gradients.size(); i++) {
      float[] buffer = net.inputGradientBuffers[i];
      int width = inputSizes[i];
      for (int r = 0; r < n; r++) {
        System.arraycopy(buffer, r * width, gradients.get(i)[r], 0, width);
      }
    }
  }

  /** Checks one caller-given batch, loads it into the buffers and returns its size. */
  private int loadBatchForPass(List<float[][]> inputs, float[][] y) {
    float[][][] x = inputArrays(inputs, DataRole.BATCH);
    checkData(x, y, DataRole.BATCH);
    checkBatchSize(x[0].length);
    loadBatch(x, y, null, 0, x[0].length);
    return x[0].length;
  }

  /**
   * One input's array as the list the multi-input methods take (null stays null, for the checks):
   * a reused one-element list, so a single-input training step allocates nothing.
   */
  private List<float[][]> single(float[][] x) {
    singleInput.value = x;
    return singleInput;
  }

  private List<float[][]> singleGradient(float[][] gradient) {
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
  private float[][][] inputArrays(List<float[][]> inputs, DataRole role) {
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

  /**
   * One optimizer step on one batch (Keras's {@code train_on_batch}).
   *
   * @return the mean loss over the batch before the step
   */
  public double trainOnBatch(float[][] x, float[][] y) {
    return trainOnBatch(single(x), y);
  }

  /** As {@link #trainOnBatch(float[][], float[][])} for a network with several inputs. */
  public double trainOnBatch(List<float[][]> inputs, float[][] y) {
    double loss = computeGradients(inputs, y);
    stepOptimizer();
    return loss;
  }

  /**
   * Brings every generated pass and kernel to compiled steady state by running them on zeros:
   * forward and backward at the given batch size and batch-1 prediction. Parameters, gradients'
   * meaning and optimizer state are left as they were (no optimizer step is taken).
   *
   * @return the seconds it took
   */
  public double warmUp(int batchSize, int iterations) {
    checkBatchSize(batchSize);
    long start = System.nanoTime();
    for (float[] input : net.inputBuffers) {
      java.util.Arrays.fill(input, 0f);
    }
    java.util.Arrays.fill(net.target, 0f);
    float[] saved = net.grads.clone();
    float[] savedParams = net.params.clone(); // training-mode passes move batch norm's statistics
    long savedNoise = net.noise[0];
    for (int i = 0; i < iterations; i++) {
      net.forward(batchSize, true);
      net.backward(batchSize);
      net.forward(1, false);
    }
    System.arraycopy(saved, 0, net.grads, 0, saved.length);
    System.arraycopy(savedParams, 0, net.params, 0, savedParams.length);
    net.noise[0] = savedNoise;
    return (System.nanoTime() - start) / 1e9;
  }

  private void checkBatchSize(int batchSize) {
    if (batchSize > net.maxBatch) {
      throw new IllegalArgumentException(
          "batch size " + batchSize + " is larger than this model's maximum batch " + net.maxBatch
              + "; build the model with a larger maxBatch or use a smaller batch");
    }
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

  // ---------------------------------------------------------------- evaluation and prediction

  public Evaluation evaluate(float[][] x, float[][] y) {
    return evaluate(single(x), y);
  }

  /** As {@link #evaluate(float[][], float[][])} for a network with several inputs. */
  public Evaluation evaluate(List<float[][]> inputs, float[][] y) {
    float[][][] x = inputArrays(inputs, DataRole.EVALUATION);
    checkData(x, y, DataRole.EVALUATION);
    return evaluateChecked(x, y);
  }

  private Evaluation evaluateChecked(float[][][] x, float[][] y) {
    double lossSum = 0;
    long correct = 0;
    int samples = x[0].length;
    for (int from = 0; from < samples; from += net.maxBatch) {
      int n = Math.min(net.maxBatch, samples - from);
      loadBatch(x, y, null, from, n);
      net.forward(n, false);
      correct += countCorrect(n);
      lossSum += net.loss(n) * n;
    }
    double accuracy =
        info.accuracy() == Accuracy.NONE ? Double.NaN : correct / (double) ((long) samples * accuracyUnits());
    return new Evaluation(lossSum / samples, accuracy);
  }

  /** Predicts one sample into {@code out} (length outputSize); allocates nothing. */
  public void predict(float[] x, float[] out) {
    requireOneInput();
    checkSample(x, 0, 0, DataRole.PREDICTION);
    if (out.length != outputSize) {
      throw new IllegalArgumentException(
          "output array has " + out.length + " values, the network produces " + outputSize);
    }
    net.predictRows(x, 1, out);
  }

  /**
   * Predicts {@code n} samples stored row-major in {@code x} ([n x inputSize]) into {@code out}
   * ([n x outputSize]); batches larger than the maximum are split. Allocates nothing.
   */
  public void predict(float[] x, int n, float[] out) {
    requireOneInput();
    int inputSize = inputSizes[0];
    if (n < 0 || (long) n * inputSize != x.length) {
      throw new IllegalArgumentException(
          "input array has " + x.length + " values, expected " + n + " x " + inputSize);
    }
    if ((long) n * outputSize != out.length) {
      throw new IllegalArgumentException(
          "output array has " + out.length + " values, expected " + n + " x " + outputSize);
    }
    if (checkInputs) {
      checkFinite(x, 0, x.length, "input", -1);
    }
    net.predictRows(x, n, out);
  }

  /** Predicts each row of {@code x}. */
  public float[][] predict(float[][] x) {
    return predict(single(x));
  }

  /** Predicts each sample of a network with several inputs: one array per input, in declaration order. */
  public float[][] predict(List<float[][]> inputs) {
    float[][][] x = inputArrays(inputs, DataRole.PREDICTION);
    checkInputs(x, DataRole.PREDICTION);
    int samples = x[0].length;
    float[][] out = new float[samples][outputSize];
    for (int from = 0; from < samples; from += net.maxBatch) {
      int n = Math.min(net.maxBatch, samples - from);
      loadInputs(x, null, from, n);
      net.forward(n, false);
      float[] output = net.output();
      for (int r = 0; r < n; r++) {
        System.arraycopy(output, r * outputSize, out[from + r], 0, outputSize);
      }
    }
    return out;
  }

  // ---------------------------------------------------------------- batches and metrics

  private void loadBatch(float[][][] x, float[][] y, int[] order, int from, int n) {
    loadInputs(x, order, from, n);
    for (int r = 0; r < n; r++) {
      int sample = order == null ? from + r : order[from + r];
      System.arraycopy(y[sample], 0, net.target, r * targetSize, targetSize);
    }
  }

  private void loadInputs(float[][][] x, int[] order, int from, int n) {
    for (int i = 0; i < x.length; i++) {
      float[] buffer = net.inputBuffers[i];
      int width = inputSizes[i];
      for (int r = 0; r < n; r++) {
        int sample = order == null ? from + r : order[from + r];
        System.arraycopy(x[i][sample], 0, buffer, r * width, width);
      }
    }
  }

  private void requireOneInput() {
    if (inputSizes.length != 1) {
      throw new IllegalArgumentException(info.name() + " takes " + inputSizes.length + " inputs (" + inputNames()
          + "); predict with one array per input");
    }
  }

  private int accuracyUnits() {
    return info.accuracy() == Accuracy.BINARY ? outputSize : 1;
  }

  private long countCorrect(int n) {
    float[] p = net.output();
    float[] t = net.target;
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
      case CATEGORICAL:
        for (int r = 0; r < n; r++) {
          if (argMax(p, r * outputSize, outputSize) == argMax(t, r * outputSize, outputSize)) {
            correct++;
          }
        }
        return correct;
      case SPARSE_CATEGORICAL:
        for (int r = 0; r < n; r++) {
          if (argMax(p, r * outputSize, outputSize) == (int) t[r]) {
            correct++;
          }
        }
        return correct;
      default:
        throw new AssertionError(info.accuracy());
    }
  }

  private static int argMax(float[] v, int from, int count) {
    int best = 0;
    for (int i = 1; i < count; i++) {
      if (v[from + i] > v[from + best]) {
        best = i;
      }
    }
    return best;
  }

  // ---------------------------------------------------------------- checks on user data

  /** Whose data a check looks at; labels are precomputed so checks allocate only when they fail. */
  private enum DataRole {
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

  private void checkData(float[][][] x, float[][] y, DataRole role) {
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
                + targetSize + (classIndex ? " (a class index)" : ""));
      }
      checkFinite(y[i], 0, targetSize, role.target, i);
      if (classIndex) {
        float label = y[i][0];
        if (label != Math.rint(label) || label < 0 || label >= outputSize) {
          throw new IllegalArgumentException(
              role.target + " " + i + " is " + label + ", expected a class index in [0, " + outputSize + ")");
        }
      }
    }
  }

  private void checkInputs(float[][][] x, DataRole role) {
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

  private void checkSample(float[] sample, int input, int index, DataRole role) {
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

  /** {@code label} and {@code index} name the row in the message: "training target 3 has NaN ...". */
  private static void checkFinite(float[] v, int from, int count, String label, int index) {
    for (int i = from; i < from + count; i++) {
      if (!Float.isFinite(v[i])) {
        throw new IllegalArgumentException(
            label + (index >= 0 ? " " + index : "") + " has " + v[i] + " at position " + (i - from));
      }
    }
  }

  // ---------------------------------------------------------------- weights

  /**
   * Writes the parameters to a safetensors file under PyTorch's names and layouts, atomically
   * (a temporary file renamed over the target).
   */
  public void save(java.nio.file.Path path) throws java.io.IOException {
    Weights.save(info, net.params, path);
  }

  /**
   * Loads parameters saved by {@link #save} or by PyTorch ({@code state_dict} names). Fails with
   * {@link dev.kiln.runtime.io.KilnFormatException} naming the tensor on any mismatch, leaving the
   * parameters untouched.
   */
  public void load(java.nio.file.Path path) throws java.io.IOException {
    Weights.load(info, net.params, path);
  }

  /**
   * Loads weights from a class-path resource (resolved like {@link Class#getResource}), as the
   * constructors of {@code @Weights} networks do.
   *
   * @throws IllegalStateException naming the resource and the problem when it is missing or does
   *     not fit the network; the weights are then left as initialized
   */
  public void loadResource(Class<?> anchor, String resource) {
    java.nio.file.Path temp = null;
    try (java.io.InputStream in = anchor.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("@Weights resource " + resource + " not found next to " + anchor.getName()
            + " on the class path");
      }
      temp = java.nio.file.Files.createTempFile("kiln-weights", ".safetensors");
      java.nio.file.Files.copy(in, temp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      Weights.load(info, net.params, temp);
    } catch (java.io.IOException e) {
      throw new IllegalStateException("@Weights resource " + resource + " could not be loaded: " + e.getMessage(), e);
    } finally {
      if (temp != null) {
        try {
          java.nio.file.Files.deleteIfExists(temp);
        } catch (java.io.IOException ignored) {
          // a leftover temp file is harmless
        }
      }
    }
  }

  // ---------------------------------------------------------------- summary

  /** A table of the layers like Keras's {@code model.summary()}. */
  public String summary() {
    return Summary.format(info, frozenLayers);
  }
}
