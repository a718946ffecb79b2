package dev.kiln.runtime;

import dev.kiln.runtime.data.Dataset;
import dev.kiln.runtime.internal.BatchData;
import dev.kiln.runtime.internal.BatchData.DataRole;
import dev.kiln.runtime.internal.CompiledNetwork;
import dev.kiln.runtime.internal.LayerHandle;
import dev.kiln.runtime.internal.LayerInfo;
import dev.kiln.runtime.internal.NetworkInfo;
import dev.kiln.runtime.internal.ParameterLayout;
import dev.kiln.runtime.internal.StepNetwork;
import dev.kiln.runtime.internal.StepSupport;
import dev.kiln.runtime.internal.Summary;
import dev.kiln.runtime.internal.TensorSlice;
import dev.kiln.runtime.internal.Weights;
import dev.kiln.runtime.kernels.BFloat16;
import dev.kiln.runtime.kernels.Elementwise;
import dev.kiln.runtime.kernels.Gemm;
import dev.kiln.runtime.kernels.ParallelRanges;
import dev.kiln.runtime.optim.Optimizer;
import dev.kiln.runtime.training.TrainingContext;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * The engine behind a generated model ({@link Model#core()}): what a custom training loop calls.
 * It delegates each job to one part: {@link Trainer} (the {@code fit} loop), {@link BatchData}
 * (checks on user data and loading batches), {@link ParameterLayout} (the flat parameter array,
 * freezing and the optimizer step), {@link Weights} (files) and the generated program itself
 * (forward and backward passes). A training step and a prediction allocate nothing.
 *
 * <p>Not thread-safe: one model instance serves one thread at a time ({@link #inference()} serves
 * many).
 */
public final class ModelCore implements TrainingContext {
  private final CompiledNetwork net;
  private final NetworkInfo info;
  private final CompiledNetwork.Factory factory;
  private final BatchData data;
  private final ParameterLayout layout;
  private final Map<String, Layer> layers = new LinkedHashMap<>();
  private final int outputSize;
  private Optimizer optimizer;
  private final StepSupport stepping;
  /**
   * Inference programs over {@link #net}'s own parameters for the parts of a split batched
   * prediction or evaluation that other threads run (read-only while it runs, like the model's).
   */
  private final CompiledNetwork.Programs helperPrograms =
      new CompiledNetwork.Programs(Runtime.getRuntime().availableProcessors(), this::newHelperProgram);
  /** Created by the first {@link #newState}: most models never step. */
  private StepNetwork stepProgram;
  /** The epoch number the last fit ended at (or a loaded checkpoint's). */
  private int epoch;

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
    this(net, factory, StepSupport.refused("it has no recurrent layer (step runs @LSTM, @GRU and @SimpleRNN"
        + " networks one time step at a time)"), optimizer, seed);
  }

  /**
   * As above; {@code stepping} creates the step programs of {@link #step} (generated recurrent
   * models pass one), or says why the network cannot be stepped.
   */
  public ModelCore(CompiledNetwork net, CompiledNetwork.Factory factory, StepSupport stepping, Optimizer optimizer,
      long seed) {
    this.stepping = Objects.requireNonNull(stepping, "stepping");
    this.net = Objects.requireNonNull(net, "net");
    Objects.requireNonNull(optimizer, "optimizer");
    this.info = net.info();
    this.factory = factory;
    this.optimizer = optimizer;
    this.outputSize = info.outputSize();
    this.data = new BatchData(net);
    SplittableRandom random = new SplittableRandom(seed);
    net.initializeParameters(random);
    dev.kiln.runtime.kernels.Noise.seed(net.noiseState(), random.nextLong());
    this.layout = new ParameterLayout(net);
    for (LayerInfo layer : info.layers()) {
      layers.put(layer.name(), new LayerHandle(layer, net.parameterArray(), net.gradientArray(), layout));
    }
  }

  public NetworkInfo info() {
    return info;
  }

  /** The generated program itself, for the engine's own loops ({@link GanTrainer}). */
  CompiledNetwork program() {
    return net;
  }

  /** Whether inputs are checked for NaN and infinity ({@link #setInputChecks}). */
  boolean inputChecks() {
    return data.inputChecks();
  }

  /** The handle of a declared layer. */
  public Layer layer(String name) {
    Objects.requireNonNull(name, "name");
    Layer layer = layers.get(name);
    if (layer == null) {
      throw new IllegalArgumentException("no layer '" + name + "'; layers are " + layers.keySet());
    }
    return layer;
  }

  public int maxBatch() {
    return net.maxBatch();
  }

  public Optimizer optimizer() {
    return optimizer;
  }

  @Override
  public float learningRate() {
    return optimizer.learningRate();
  }

  @Override
  public void setLearningRate(float learningRate) {
    optimizer.setLearningRate(learningRate);
  }

  /** Replaces the optimizer; its state must cover {@link NetworkInfo#parameterCount()} values. */
  public void setOptimizer(Optimizer optimizer) {
    this.optimizer = Objects.requireNonNull(optimizer, "optimizer");
  }

  /**
   * A thread-safe predictor over a snapshot of the current parameters: any number of threads may
   * call it at once, without locks (each thread gets its own buffers on first use, all threads read
   * the one parameter copy). Training this model afterwards does not change the snapshot; take a
   * new one to serve newer weights.
   */
  public Inference inference() {
    return inference(WeightFormat.FLOAT32);
  }

  /**
   * As {@link #inference()}, the snapshot's weights stored in {@code format}: {@link
   * WeightFormat#BFLOAT16} rounds the Dense layers' weight matrices to bfloat16, which batch-1
   * predictions read at half the bytes.
   */
  public Inference inference(WeightFormat format) {
    Objects.requireNonNull(format, "format");
    if (factory == null) {
      throw new UnsupportedOperationException("this network was built without a program factory");
    }
    float[] snapshot = net.parameterArray().clone();
    short[] bfloat16 = null;
    if (format == WeightFormat.BFLOAT16) {
      bfloat16 = new short[snapshot.length];
      for (LayerInfo layer : info.layers()) {
        if (!layer.type().equals("Dense")) {
          continue; // only Dense layers' products read bfloat16 weights (CompiledNetwork.denseProduct)
        }
        for (TensorSlice tensor : layer.tensors()) {
          if (tensor.name().endsWith(".weight")) {
            // Saved as PyTorch's [out, in], stored as [in rows x out columns]: the product's B.
            if (tensor.shape().length != 2) {
              throw new IllegalStateException(tensor.name() + " is not a [out, in] matrix");
            }
            int columns = tensor.shape()[0];
            int rows = tensor.shape()[1];
            Gemm.ACTIVE.packBf16(rows, columns, snapshot, tensor.offset(), columns, bfloat16);
            for (int i = tensor.offset(); i < tensor.offset() + tensor.size(); i++) {
              snapshot[i] = BFloat16.round(snapshot[i]);
            }
          }
        }
      }
    }
    return new Inference(info, factory, stepping, snapshot, bfloat16, net.maxBatch(), data.inputChecks());
  }

  /** The step support this model was built with, for {@link #inference()}. */
  StepSupport stepping() {
    return stepping;
  }

  // ---------------------------------------------------------------- one time step at a time

  private StepNetwork stepProgram() {
    if (stepProgram == null) {
      // On the model's own parameters (read only): steps see every later training step and load.
      stepProgram = stepping.create(info.name(), net.maxBatch(), net.parameterArray());
    }
    return stepProgram;
  }

  /**
   * A zero state for one sequence, to run it one time step at a time with {@link #step}. Throws
   * {@link UnsupportedOperationException} with the reason when the network cannot be stepped (the
   * processor decides: every layer must act on each time step alone, except recurrent layers).
   */
  public RecurrentState newState() {
    return newState(1);
  }

  /** A zero state for {@code sequences} sequences stepped together (1 to {@link #maxBatch()}). */
  public RecurrentState newState(int sequences) {
    return Steps.newState(info, stepProgram(), sequences);
  }

  /**
   * One time step of the sequences {@code state} carries: {@code input} holds each sequence's
   * input at this step ({@link #stepInputSize()} values per sequence: one time step of the
   * declared input, e.g. a token id or a one-hot row), {@code output} receives the network's
   * output at this step ({@link #stepOutputSize()} per sequence), and {@code state} moves on to
   * the state after it. Stepping a sequence from a new state gives, at step t, the whole-sequence
   * forward pass's output at position t (its output when the last recurrent layer returns the
   * last step only, as if the sequence ended at t). Inference behaviour (dropout and noise off,
   * moving statistics); allocates nothing. Like the model, not thread-safe: threads that step
   * concurrently use {@link #inference()}'s {@link Inference#step}, each with its own states.
   */
  public void step(RecurrentState state, float[] input, float[] output) {
    Steps.step(info, stepProgram(), state, input, output, data.inputChecks());
  }

  /** Values per sequence of one time step's input (see {@link #step}). */
  public int stepInputSize() {
    return stepProgram().stepInputWidth(0);
  }

  /** Values per sequence of one time step's output (see {@link #step}). */
  public int stepOutputSize() {
    return stepProgram().stepOutputWidth();
  }

  /**
   * Freezes or unfreezes a layer: a frozen layer's parameters keep their values (the optimizer
   * skips them, its state for them is kept) and the summary counts them as non-trainable.
   */
  public void setTrainable(String layer, boolean trainable) {
    layer(layer); // checks the name
    layout.setTrainable(layer, trainable);
  }

  /**
   * Sets a layer's learning-rate multiplier (see {@link Layer#setLearningRateMultiplier}):
   * differential learning rates for fine-tuning.
   */
  public void setLearningRateMultiplier(String layer, float multiplier) {
    layer(layer);
    layout.setLearningRateMultiplier(layer, multiplier);
  }

  /** Whether the layer's parameters are updated by training. */
  public boolean isTrainable(String layer) {
    layer(layer);
    return layout.isTrainable(layer);
  }

  /**
   * Restarts the noise stream (dropout masks, Gaussian noise) from {@code seed}: the same seed
   * gives the same masks for the same sequence of calls. Also restarts the augmentation layers'
   * draws ({@code @RandomFlip}, {@code @RandomTranslation}, {@code @RandomZoom}): the transform
   * of the k-th sample that training-mode passes see after this call depends only on the seed, the
   * layer and k, not on how the samples are split into batches nor on threads.
   */
  public void setNoiseSeed(long seed) {
    dev.kiln.runtime.kernels.Noise.seed(net.noiseState(), seed);
  }

  /** When on, inputs are checked for NaN and infinity before use (off by default). */
  public void setInputChecks(boolean on) {
    data.setInputChecks(on);
  }

  /** A copy of all parameters, in the flat layout the layers' tensors describe. */
  @Override
  public float[] parameters() {
    return layout.parameters();
  }

  /**
   * Replaces all parameters; the length must be {@link NetworkInfo#parameterCount()}. NaN and
   * infinite values are rejected with an {@link IllegalArgumentException} naming the tensor and
   * position, and nothing changes: use {@link #setParameters(float[], boolean)} to set them on
   * purpose.
   */
  @Override
  public void setParameters(float[] values) {
    layout.setParameters(values, false);
  }

  /** As {@link #setParameters(float[])}; {@code allowNonFinite} true accepts NaN and infinity. */
  public void setParameters(float[] values, boolean allowNonFinite) {
    layout.setParameters(values, allowNonFinite);
  }

  /** A copy of the gradients from the last backward pass (same layout as the parameters). */
  public float[] gradients() {
    return layout.gradients();
  }

  // ---------------------------------------------------------------- training

  /**
   * Trains for {@code options.epochs()} epochs (see {@link Trainer}): per step load the batch,
   * forward, backward, stop with {@code TrainingDivergedException} if the loss is not finite
   * (unless turned off), clip, schedule the learning rate, step the optimizer (refusing, with the
   * same exception, a step that would make a parameter or the optimizer's state non-finite), call
   * the callbacks.
   */
  public History fit(float[][] x, float[][] y, FitOptions options) {
    return fit(data.single(x), y, options);
  }

  /**
   * As {@link #fit(float[][], float[][], FitOptions)} for a network with several inputs: one array
   * per input, in declaration order, each with one row per sample.
   */
  public History fit(List<float[][]> inputs, float[][] y, FitOptions options) {
    return fit(inputs, y, null, options);
  }

  /**
   * As {@link #fit(float[][], float[][], FitOptions)} with Keras's {@code sample_weight}: the loss
   * of sample i is multiplied by {@code sampleWeights[i]} (finite, >= 0), and a batch's loss is
   * the weighted sum divided by the batch's number of samples (not by the sum of the weights).
   * Shuffling keeps each weight with its sample; {@link FitOptions#withClassWeights} multiplies
   * in; a validation split takes the weights of its samples along (a weighted {@code val_loss}),
   * other validation data is unweighted unless given with weights. Regularizer penalties are
   * not weighted. Accuracy counts every sample once.
   */
  public History fit(float[][] x, float[][] y, float[] sampleWeights, FitOptions options) {
    return fit(data.single(x), y, Objects.requireNonNull(sampleWeights, "sampleWeights"), options);
  }

  /**
   * As {@link #fit(float[][], float[][], float[], FitOptions)} for a network with several inputs;
   * null {@code sampleWeights} trains unweighted.
   */
  public History fit(List<float[][]> inputs, float[][] y, float[] sampleWeights, FitOptions options) {
    Objects.requireNonNull(options, "options");
    History history = new Trainer(net, data, layout, optimizer,
        validation -> evaluateChecked(validation, options.validationMetrics()), this)
        .fit(inputs, y, sampleWeights, options);
    epoch = options.initialEpoch() + history.epochs();
    return history;
  }

  /**
   * As {@link #fit(float[][], float[][], FitOptions)} from a dataset (memory-mapped files, a
   * source of your own), read one batch at a time: the set is never copied. The same seed
   * shuffles into the same order as for arrays, so a dataset over the same arrays trains to the
   * same parameters bit for bit. Targets are checked as each batch loads (see {@link Dataset}).
   */
  public History fit(Dataset data, FitOptions options) {
    Objects.requireNonNull(options, "options");
    History history = new Trainer(net, this.data, layout, optimizer,
        validation -> evaluateChecked(validation, options.validationMetrics()), this).fit(data, options);
    epoch = options.initialEpoch() + history.epochs();
    return history;
  }

  /**
   * The mean loss on one batch without computing gradients; {@code training} selects batch
   * statistics and active dropout/noise (as in a training step) or inference behaviour. In training
   * mode batch normalization's moving statistics are updated, as in a training step.
   */
  public double loss(float[][] x, float[][] y, boolean training) {
    return loss(data.single(x), y, training);
  }

  /** As {@link #loss(float[][], float[][], boolean)} for a network with several inputs. */
  public double loss(List<float[][]> inputs, float[][] y, boolean training) {
    int n = data.loadBatchForPass(inputs, y);
    net.runForward(n, training);
    return net.runLoss(n);
  }

  /**
   * The network's outputs for one batch in training mode, for a loss computed outside the network:
   * dropout and noise are active (drawing from the noise stream, as a training step does) and batch
   * normalization normalizes with the batch's statistics and moves its moving statistics, as in a
   * training step. No gradient is computed. To follow with {@link #backwardFromOutput} on the same
   * dropout masks, restart the noise stream ({@link #setNoiseSeed}) to the same seed before each
   * call, since that method runs the forward pass again (and moves the moving statistics again).
   *
   * @return [n samples][output size]; for a network whose output is fused with its loss these are
   *     the output layer's activations (probabilities after a softmax or sigmoid)
   */
  public float[][] forwardTraining(float[][] x) {
    return forwardTraining(data.single(x));
  }

  /** As {@link #forwardTraining(float[][])} for a network with several inputs. */
  public float[][] forwardTraining(List<float[][]> inputs) {
    float[][][] xs = data.inputArrays(inputs, DataRole.BATCH);
    data.checkInputs(xs, DataRole.BATCH);
    int n = xs[0].length;
    data.checkBatchSize(n);
    data.loadInputs(xs, null, 0, n);
    net.runForward(n, true);
    float[][] out = new float[n][outputSize];
    float[] output = net.outputBuffer();
    for (int r = 0; r < n; r++) {
      System.arraycopy(output, r * outputSize, out[r], 0, outputSize);
    }
    return out;
  }

  /**
   * Computes the loss on one batch and the gradient of every parameter (see {@link #gradients()}),
   * without changing the trainable parameters: for gradient inspection and custom training loops
   * (per layer: {@link Layer#kernelGradient()}). The forward pass runs in training mode, so batch
   * normalization's moving statistics (non-trainable parameters) move as in a training step, and
   * dropout draws from the noise stream.
   *
   * @return the mean loss over the batch
   */
  public double computeGradients(float[][] x, float[][] y) {
    return computeGradients(data.single(x), y);
  }

  /** As {@link #computeGradients(float[][], float[][])} for a network with several inputs. */
  public double computeGradients(List<float[][]> inputs, float[][] y) {
    return computeGradients(inputs, y, null);
  }

  /**
   * As {@link #computeGradients(float[][], float[][])} with the loss of sample i multiplied by
   * {@code sampleWeights[i]} (see {@link #fit(float[][], float[][], float[], FitOptions)}).
   *
   * @return the weighted loss: the sum of weight times loss over the batch, divided by its size
   */
  public double computeGradients(float[][] x, float[][] y, float[] sampleWeights) {
    return computeGradients(data.single(x), y, Objects.requireNonNull(sampleWeights, "sampleWeights"));
  }

  /**
   * As {@link #computeGradients(float[][], float[][], float[])} for a network with several inputs;
   * null {@code sampleWeights} is unweighted.
   */
  public double computeGradients(List<float[][]> inputs, float[][] y, float[] sampleWeights) {
    int n = data.loadBatchForPass(inputs, y, sampleWeights);
    net.runForward(n, true);
    return net.runBackward(n, true, false, true);
  }

  /**
   * The gradient of the loss with respect to the input, for a custom training loop (a GAN's
   * generator learns through its discriminator this way): runs the batch forward in training mode,
   * as {@link #computeGradients} does, and writes d loss / d x into {@code inputGradient} ([n
   * samples][input size]). The network is left as it was: parameter gradients are not computed
   * ({@link #gradients()} keeps what it held), and batch normalization normalizes with the batch's
   * statistics without updating its moving statistics.
   *
   * @return the mean loss over the batch
   */
  public double backwardToInput(float[][] x, float[][] y, float[][] inputGradient) {
    return backwardToInput(data.single(x), y, data.singleGradient(inputGradient));
  }

  /** As {@link #backwardToInput(float[][], float[][], float[][])} with one gradient array per input. */
  public double backwardToInput(List<float[][]> inputs, float[][] y, List<float[][]> inputGradients) {
    int n = data.loadBatchForPass(inputs, y);
    data.checkGradientArrays(inputGradients, n);
    net.runForward(n, true, false);
    double loss = net.runBackward(n, false, true, true);
    data.copyInputGradients(inputGradients, n);
    return loss;
  }

  /**
   * The chain rule through this network for a loss computed elsewhere: from a given gradient with
   * respect to the output ({@code outputGradient}, [n][output size]) instead of the loss. Runs the
   * batch forward in training mode; writes the gradient with respect to the input into {@code
   * inputGradient} unless it is null, and computes the parameter gradients too when {@code
   * parameterGradients} is true (then {@link #gradients()} holds them, and an optimizer step can
   * follow: {@link #applyGradients()}).
   */
  public void backwardFromOutput(float[][] x, float[][] outputGradient, float[][] inputGradient,
      boolean parameterGradients) {
    Objects.requireNonNull(outputGradient, "outputGradient");
    float[][][] xs = data.inputArrays(data.single(x), DataRole.BATCH);
    data.checkInputs(xs, DataRole.BATCH);
    int n = xs[0].length;
    data.checkBatchSize(n);
    if (outputGradient.length != n) {
      throw new IllegalArgumentException("outputGradient has " + outputGradient.length + " rows for " + n + " samples");
    }
    for (int r = 0; r < n; r++) {
      if (outputGradient[r] == null || outputGradient[r].length != outputSize) {
        throw new IllegalArgumentException("outputGradient row " + r + " must have " + outputSize + " values");
      }
    }
    if (inputGradient != null) {
      data.checkGradientArrays(data.singleGradient(inputGradient), n);
    }
    data.loadInputs(xs, null, 0, n);
    net.runForward(n, true);
    float[] dy = net.outputGradientBuffer();
    for (int r = 0; r < n; r++) {
      System.arraycopy(outputGradient[r], 0, dy, r * outputSize, outputSize);
    }
    net.runBackward(n, parameterGradients, inputGradient != null, false);
    if (inputGradient != null) {
      data.copyInputGradients(data.singleGradient(inputGradient), n);
    }
  }

  /** One optimizer step with the gradients of the last backward pass (a custom loop's step). */
  public void applyGradients() {
    layout.step(optimizer);
  }

  /**
   * One optimizer step on one batch (Keras's {@code train_on_batch}). Guarded as {@code fit} is: a
   * non-finite loss, or a step that would make a parameter or the optimizer's state non-finite,
   * throws {@link dev.kiln.runtime.training.TrainingDivergedException} with the step not taken
   * (parameters and optimizer state as before the call).
   *
   * @return the mean loss over the batch before the step
   */
  public double trainOnBatch(float[][] x, float[][] y) {
    return trainOnBatch(data.single(x), y);
  }

  /** As {@link #trainOnBatch(float[][], float[][])} for a network with several inputs. */
  public double trainOnBatch(List<float[][]> inputs, float[][] y) {
    return trainOnBatch(inputs, y, null);
  }

  /**
   * One optimizer step on one batch with per-sample loss weights (Keras's {@code
   * train_on_batch(x, y, sample_weight)}; see {@link #fit(float[][], float[][], float[],
   * FitOptions)} for their meaning). Weights of 0 for every sample give a loss of 0 and zero
   * gradients.
   *
   * @return the weighted loss over the batch before the step
   */
  public double trainOnBatch(float[][] x, float[][] y, float[] sampleWeights) {
    return trainOnBatch(data.single(x), y, Objects.requireNonNull(sampleWeights, "sampleWeights"));
  }

  /**
   * As {@link #trainOnBatch(float[][], float[][], float[])} for a network with several inputs;
   * null {@code sampleWeights} is unweighted.
   */
  public double trainOnBatch(List<float[][]> inputs, float[][] y, float[] sampleWeights) {
    double loss = computeGradients(inputs, y, sampleWeights);
    if (!Double.isFinite(loss)) {
      throw dev.kiln.runtime.training.TrainingDivergedException.batchDiverged(loss, false);
    }
    if (!layout.stepIfFinite(optimizer)) {
      throw dev.kiln.runtime.training.TrainingDivergedException.batchDiverged(loss, true);
    }
    return loss;
  }

  /**
   * Brings every generated pass and kernel to compiled steady state by running them on zeros:
   * forward and backward at the given batch size and batch-1 prediction; then compiles the vector
   * twins of the small-shape kernels those passes used (a small network's narrow products and
   * softmax, 0.25-0.5 s) and switches them on: without it they stay scalar, unless {@code
   * -Dkiln.vectorWarmUp=background}. Parameters, gradients and optimizer state are left as they
   * were (no optimizer step is taken).
   *
   * @return the seconds it took
   */
  public double warmUp(int batchSize, int iterations) {
    if (batchSize < 1 || iterations < 0) {
      throw new IllegalArgumentException("warmUp needs batchSize >= 1 and iterations >= 0, got " + batchSize + ", "
          + iterations);
    }
    data.checkBatchSize(batchSize);
    long start = System.nanoTime();
    for (int i = 0; i < info.inputs().size(); i++) {
      java.util.Arrays.fill(net.inputBuffer(i), 0f);
    }
    java.util.Arrays.fill(net.targetBuffer(), 0f);
    net.setLossWeights(null);
    float[] savedGrads = net.gradientArray().clone();
    float[] savedParams = net.parameterArray().clone(); // training-mode passes move batch norm's statistics
    long[] savedNoise = net.noiseState().clone();
    for (int i = 0; i < iterations; i++) {
      net.runForward(batchSize, true);
      net.runBackward(batchSize);
      net.runForward(1, false);
    }
    System.arraycopy(savedGrads, 0, net.gradientArray(), 0, savedGrads.length);
    System.arraycopy(savedParams, 0, net.parameterArray(), 0, savedParams.length);
    System.arraycopy(savedNoise, 0, net.noiseState(), 0, savedNoise.length);
    if (iterations > 0) {
      Gemm.ACTIVE.compileVectorTwins();
      Elementwise.ACTIVE.compileVectorTwins();
    }
    return (System.nanoTime() - start) / 1e9;
  }

  // ---------------------------------------------------------------- evaluation and prediction

  public Evaluation evaluate(float[][] x, float[][] y) {
    return evaluate(data.single(x), y);
  }

  /** As {@link #evaluate(float[][], float[][])} for a network with several inputs. */
  public Evaluation evaluate(List<float[][]> inputs, float[][] y) {
    float[][][] x = data.inputArrays(inputs, DataRole.EVALUATION);
    data.checkData(x, y, DataRole.EVALUATION);
    return evaluateChecked(Dataset.of(java.util.Arrays.asList(x.clone()), y));
  }

  /**
   * As {@link #evaluate(float[][], float[][])} with the loss weighted per sample, as Keras's {@code
   * evaluate(x, y, sample_weight)}: the sum of weight times loss divided by the number of samples.
   * Accuracy counts every sample once.
   */
  public Evaluation evaluate(float[][] x, float[][] y, float[] sampleWeights) {
    return evaluate(data.single(x), y, sampleWeights);
  }

  /** As {@link #evaluate(float[][], float[][], float[])} for a network with several inputs. */
  public Evaluation evaluate(List<float[][]> inputs, float[][] y, float[] sampleWeights) {
    float[][][] x = data.inputArrays(inputs, DataRole.EVALUATION);
    data.checkData(x, y, DataRole.EVALUATION);
    BatchData.checkSampleWeights(sampleWeights, y.length, "sampleWeights");
    return evaluateChecked(Dataset.of(java.util.Arrays.asList(x.clone()), y).withSampleWeights(sampleWeights));
  }

  /**
   * Loss, accuracy and {@code metrics} (precision, recall, F1, top-k, AUC, confusion matrix, MAE;
   * see {@link Metric}) over the data, in inference mode.
   */
  public Evaluation evaluate(float[][] x, float[][] y, Metrics metrics) {
    Objects.requireNonNull(metrics, "metrics");
    float[][][] xs = data.inputArrays(data.single(x), DataRole.EVALUATION);
    data.checkData(xs, y, DataRole.EVALUATION);
    return evaluateChecked(xs, y, metrics);
  }

  /**
   * Evaluates each group of samples separately ({@code groups[i]} is sample i's group): every
   * metric per group and, through {@link GroupEvaluation#gap}, the largest gap between groups.
   */
  public GroupEvaluation evaluateByGroup(float[][] x, float[][] y, String[] groups, Metrics metrics) {
    Objects.requireNonNull(x, "x");
    Objects.requireNonNull(y, "y");
    Objects.requireNonNull(metrics, "metrics");
    return GroupEvaluation.of(x, y, groups, (gx, gy) -> evaluate(gx, gy, metrics));
  }

  /** A program for {@link #helperPrograms}: the model's network, reading its parameters. */
  private CompiledNetwork newHelperProgram() {
    return factory.create(net.maxBatch(), net.parameterArray());
  }

  /**
   * Evaluates samples {@code [from, from + n)} on {@code program} (loaded through {@code batchData},
   * its {@link BatchData}): their outputs into {@code predictions} when not null, and returns the
   * loss summed over the batch (its mean times n).
   */
  private double evaluateBatch(CompiledNetwork program, BatchData batchData, Dataset dataset, int from, int n,
      float[][] predictions) {
    batchData.loadBatch(dataset, null, from, n, DataRole.EVALUATION);
    program.runForward(n, false);
    if (predictions != null) {
      float[] output = program.outputBuffer();
      for (int r = 0; r < n; r++) {
        System.arraycopy(output, r * outputSize, predictions[from + r], 0, outputSize);
      }
    }
    return program.runLoss(n) * n;
  }

  /**
   * An evaluation split over threads by whole batches (the batches one thread would use): each
   * part evaluates its batches on a program of its own (the model's on the caller's thread, one of
   * {@link #helperPrograms}, given a target buffer, elsewhere) and keeps each batch's
   * loss, correct count or error by batch, for the caller to sum in batch order.
   */
  private final class BatchResults implements ParallelRanges.RangeTask {
    final Dataset dataset;
    final float[][] predictions;
    final double[] losses;
    final long[] correct;
    final RuntimeException[] failures;
    final Thread caller = Thread.currentThread();

    BatchResults(Dataset dataset, int batches, float[][] predictions) {
      this.dataset = dataset;
      this.predictions = predictions;
      this.losses = new double[batches];
      this.correct = new long[batches];
      this.failures = new RuntimeException[batches];
    }

    @Override
    public void run(int first, int end) {
      if (Thread.currentThread() == caller) {
        evaluate(net, data, first, end);
        return;
      }
      CompiledNetwork program = helperPrograms.borrow();
      try {
        program.allocateTargets(); // once per program: a prediction's helper has no targets
        BatchData batchData = new BatchData(program); // per part and call: evaluate allocates its results anyway
        batchData.setInputChecks(data.inputChecks());
        evaluate(program, batchData, first, end);
      } finally {
        helperPrograms.giveBack(program);
      }
    }

    private void evaluate(CompiledNetwork program, BatchData batchData, int first, int end) {
      int maxBatch = net.maxBatch();
      int samples = dataset.size();
      for (int b = first; b < end; b++) {
        int from = b * maxBatch;
        int n = Math.min(maxBatch, samples - from);
        try {
          losses[b] = evaluateBatch(program, batchData, dataset, from, n, predictions);
          correct[b] = batchData.countCorrect(n);
        } catch (RuntimeException e) {
          failures[b] = e; // later batches of this part are not needed: an earlier error wins
          return;
        }
      }
    }
  }

  /** How this network's targets encode the truth, for {@link Metrics#compute}. */
  public Metrics.Targets targets() {
    switch (info.accuracy()) {
      case CATEGORICAL:
        return Metrics.Targets.ONE_HOT;
      case SPARSE_CATEGORICAL:
        return Metrics.Targets.CLASS_INDEX;
      case BINARY:
        return Metrics.Targets.BINARY;
      default:
        return Metrics.Targets.REGRESSION;
    }
  }

  private Evaluation evaluateChecked(float[][][] x, float[][] y, Metrics metrics) {
    return evaluateChecked(Dataset.of(java.util.Arrays.asList(x.clone()), y), metrics);
  }

  /**
   * Loss and accuracy on a dataset with inference behaviour, read one batch at a time (see {@link
   * Dataset}); equal to {@link #evaluate(float[][], float[][])} on the same arrays.
   */
  public Evaluation evaluate(Dataset dataset) {
    data.checkDataset(dataset, DataRole.EVALUATION);
    return evaluateChecked(dataset);
  }

  private Evaluation evaluateChecked(Dataset dataset) {
    return evaluateChecked(dataset, null);
  }

  private Evaluation evaluateChecked(Dataset dataset, Metrics metrics) {
    double lossSum = 0;
    long correct = 0;
    int samples = dataset.size();
    int maxBatch = net.maxBatch();
    float[][] predictions = metrics == null || metrics.list().isEmpty() ? null : new float[samples][outputSize];
    int batches = (int) (((long) samples + maxBatch - 1) / maxBatch);
    if (factory != null && batches >= 2 && dataset.concurrentCopies() && net.splitsPrediction(samples)) {
      BatchResults results = new BatchResults(dataset, batches, predictions);
      int minBatchesPerPart = Math.max(1, net.rowsToSplit() / 2 / maxBatch);
      ParallelRanges.run(0, batches, minBatchesPerPart, Integer.MAX_VALUE, 1, results);
      for (int b = 0; b < batches; b++) { // in batch order: the sums of one thread, bit for bit
        if (results.failures[b] != null) {
          throw results.failures[b]; // the first bad batch's error, as one thread would raise it
        }
        correct += results.correct[b];
        lossSum += results.losses[b];
      }
    } else {
      for (int b = 0; b < batches; b++) {
        int from = b * maxBatch;
        int n = Math.min(maxBatch, samples - from);
        lossSum += evaluateBatch(net, data, dataset, from, n, predictions);
        correct += data.countCorrect(n);
      }
    }
    double accuracy = info.accuracy() == dev.kiln.runtime.internal.Accuracy.NONE ? Double.NaN
        : correct / (double) ((long) samples * data.accuracyUnits());
    if (predictions == null) {
      return new Evaluation(lossSum / samples, accuracy);
    }
    float[][] y = new float[samples][dataset.targetSize()];
    for (int i = 0; i < samples; i++) {
      dataset.copyTarget(i, y[i], 0);
    }
    Metrics.Result result = metrics.compute(predictions, y, targets());
    return new Evaluation(lossSum / samples, accuracy, result.values(), result.confusion());
  }

  /** Predicts one sample into {@code out} (length outputSize); allocates nothing. */
  public void predict(float[] x, float[] out) {
    data.requireOneInput();
    data.checkSample(x, 0, 0, DataRole.PREDICTION);
    Objects.requireNonNull(out, "out");
    if (out.length != outputSize) {
      throw new IllegalArgumentException(
          "output array has " + out.length + " values, the network produces " + outputSize);
    }
    net.predictRows(x, 0, 1, out);
  }

  /**
   * Predicts {@code n} samples stored row-major in {@code x} ([n x inputSize]) into {@code out}
   * ([n x outputSize]); batches larger than the maximum are split. Large batches run in parts of
   * rows on the worker pool ({@link dev.kiln.runtime.kernels.Parallelism}), the further parts on
   * inference programs over this model's parameters, created on first use; the same floats as on
   * one thread. Allocates nothing after that.
   */
  public void predict(float[] x, int n, float[] out) {
    data.checkFlatInput(x, n);
    Objects.requireNonNull(out, "out");
    if ((long) n * outputSize != out.length) {
      throw new IllegalArgumentException(
          "output array has " + out.length + " values, expected " + n + " x " + outputSize);
    }
    net.predictRows(x, n, out, factory == null ? null : helperPrograms);
  }

  /** Predicts each row of {@code x}. */
  public float[][] predict(float[][] x) {
    return predict(data.single(x));
  }

  /**
   * Predicts each sample of a network with several inputs: one array per input, in declaration
   * order. A single input's large batch runs in parts of rows over the threads, as {@link
   * #predict(float[], int, float[])} does.
   */
  public float[][] predict(List<float[][]> inputs) {
    float[][][] x = data.inputArrays(inputs, DataRole.PREDICTION);
    data.checkInputs(x, DataRole.PREDICTION);
    int samples = x[0].length;
    float[][] out = new float[samples][outputSize];
    if (x.length == 1 && factory != null && net.splitsPrediction(samples)) {
      predictInParts(x[0], out);
      return out;
    }
    int maxBatch = net.maxBatch();
    for (int from = 0; from < samples; from += maxBatch) {
      int n = Math.min(maxBatch, samples - from);
      data.loadInputs(x, null, from, n);
      net.runForward(n, false);
      float[] output = net.outputBuffer();
      for (int r = 0; r < n; r++) {
        System.arraycopy(output, r * outputSize, out[from + r], 0, outputSize);
      }
    }
    return out;
  }

  /**
   * Values gathered at a time by {@link #predictInParts}: 1.6 MB, so the parts read their rows back
   * from cache (W3's rows of 784: 510 at a time gave 365k samples/s on two threads, 4,096 at a time
   * 296k).
   */
  private static final int GATHERED_VALUES = 400_000;

  /**
   * A single-input prediction large enough to split over threads: gathered into a flat buffer a
   * chunk at a time and run as {@link #predict(float[], int, float[])} runs it, in parts of rows.
   */
  private void predictInParts(float[][] rows, float[][] out) {
    int width = info.inputSize();
    int chunk = Math.min(rows.length, Math.max(GATHERED_VALUES / width, net.rowsToSplit()));
    float[] flat = new float[chunk * width];
    float[] flatOut = new float[chunk * outputSize];
    for (int from = 0; from < rows.length; from += chunk) {
      int n = Math.min(chunk, rows.length - from);
      for (int r = 0; r < n; r++) {
        System.arraycopy(rows[from + r], 0, flat, r * width, width);
      }
      net.predictRows(flat, n, flatOut, helperPrograms);
      for (int r = 0; r < n; r++) {
        System.arraycopy(flatOut, r * outputSize, out[from + r], 0, outputSize);
      }
    }
  }

  // ---------------------------------------------------------------- weights

  /**
   * Writes the parameters to a safetensors file under PyTorch's names and layouts, atomically
   * (a temporary file renamed over the target).
   */
  @Override
  public void save(Path path) throws IOException {
    Objects.requireNonNull(path, "path");
    Weights.save(info, net.parameterArray(), path);
  }

  /**
   * Loads parameters saved by {@link #save} or by PyTorch ({@code state_dict} names). Fails with
   * {@link dev.kiln.runtime.io.KilnFormatException} naming the tensor on any mismatch or on a NaN or
   * infinite value, leaving the parameters untouched.
   */
  public void load(Path path) throws IOException {
    Objects.requireNonNull(path, "path");
    Weights.load(info, net.parameterArray(), path);
  }

  /**
   * Loads part of a weights file (transfer learning: a base trained elsewhere), by layer names with
   * an optional mapping of the file's names (see {@link LoadOptions}). Strict by default: every
   * wanted tensor must be found with its shape and every file tensor used, or {@link
   * PartialLoadException} is thrown and nothing changes. Non-strict loads what fits.
   *
   * @return what was loaded, skipped (in the file, not wanted), missing (wanted, not in the file)
   *     and of the wrong shape; its {@code toString()} prints a line per tensor
   */
  public LoadReport loadPartial(Path path, LoadOptions options) throws IOException {
    return Weights.loadPartial(info, net.parameterArray(), path, options);
  }

  /**
   * Writes a training checkpoint atomically to one safetensors file: the parameters (as {@link
   * #save}), the optimizer's state arrays ({@code optimizer.m}, {@code optimizer.v}, ...), its
   * iteration count and learning rate, the noise stream's state and the epoch the last fit reached
   * ({@link #epoch()}). {@link #loadCheckpoint} into a new instance then resumes exactly: fit with
   * {@code FitOptions.epochs(total).withInitialEpoch(core.epoch())}.
   */
  public void saveCheckpoint(Path path) throws IOException {
    dev.kiln.runtime.internal.Checkpoint.save(info, net.parameterArray(), optimizer, net.noiseState(), epoch, path);
  }

  /**
   * Restores a checkpoint written by {@link #saveCheckpoint}: parameters, optimizer state, noise
   * stream and epoch. The optimizer must be of the same kind (its hyperparameters are the model's
   * own; the learning rate is the checkpoint's). Everything is checked before anything changes.
   */
  public void loadCheckpoint(Path path) throws IOException {
    dev.kiln.runtime.internal.Checkpoint.State state =
        dev.kiln.runtime.internal.Checkpoint.load(info, net.parameterArray(), optimizer, path);
    System.arraycopy(state.noise(), 0, net.noiseState(), 0, state.noise().length);
    epoch = state.epoch();
  }

  /** The epoch number the last fit ended at ({@code initialEpoch} + epochs run), or a loaded checkpoint's. */
  public int epoch() {
    return epoch;
  }

  /**
   * Loads parameters from safetensors bytes held in memory, with the checks and the
   * all-or-nothing behaviour of {@link #load(Path)}; messages name the file {@code source}.
   */
  public void load(byte[] safetensors, String source) throws IOException {
    Weights.load(info, net.parameterArray(), dev.kiln.runtime.io.SafeTensors.read(safetensors, source));
  }

  /**
   * Loads parameters from a safetensors stream (a class-path resource, a download) without a
   * temporary file: reads the stream to its end (the file must fit in one array, under 2 GB), does
   * not close it, then loads as {@link #load(byte[], String)}.
   */
  public void load(InputStream in, String source) throws IOException {
    Objects.requireNonNull(in, "in");
    load(in.readAllBytes(), source);
  }

  /**
   * Loads weights from a class-path resource (resolved like {@link Class#getResource}), as the
   * constructors of {@code @Weights} networks do; read through {@link #load(InputStream, String)},
   * so no temporary file is written.
   *
   * @throws IllegalStateException naming the resource and the problem when it is missing or does
   *     not fit the network; the weights are then left as initialized
   */
  public void loadResource(Class<?> anchor, String resource) {
    Objects.requireNonNull(anchor, "anchor");
    Objects.requireNonNull(resource, "resource");
    try (InputStream in = anchor.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("@Weights resource " + resource + " not found next to " + anchor.getName()
            + " on the class path");
      }
      load(in, resource);
    } catch (IOException e) {
      throw new IllegalStateException("@Weights resource " + resource + " could not be loaded: " + e.getMessage(), e);
    }
  }

  // ---------------------------------------------------------------- summary

  /** A table of the layers like Keras's {@code model.summary()}. */
  public String summary() {
    return Summary.format(info, layout.frozenLayers());
  }
}
