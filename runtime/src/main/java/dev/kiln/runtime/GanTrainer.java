package dev.kiln.runtime;

import dev.kiln.runtime.internal.BatchData;
import dev.kiln.runtime.internal.CompiledNetwork;
import java.util.Arrays;
import java.util.Objects;

/**
 * One alternating training step of a generative adversarial network made of two declared networks,
 * each with its own optimizer (DCGAN: {@code @Adam(learningRate = 2e-4, beta1 = 0.5)} on both):
 *
 * <ol>
 *   <li>the generator runs forward on the noise batch in training mode: the fakes;
 *   <li>the discriminator takes one optimizer step on the real batch with label 1, then one on the
 *       fakes with label 0 (two {@code trainOnBatch} calls, as in Keras's GAN examples);
 *   <li>the generator learns through the discriminator, whose weights stay untouched: the
 *       discriminator's loss against label 1 ("real") on the fakes is back-propagated to its input
 *       only (no parameter gradients, batch normalization's moving statistics not updated, as
 *       {@link ModelCore#backwardToInput}), that input gradient becomes the generator's output
 *       gradient ({@link ModelCore#backwardFromOutput}, without a second forward pass), and the
 *       generator's optimizer steps.
 * </ol>
 *
 * <p>The discriminator's gradient array keeps the fake-batch gradients of step 2 (step 3 computes
 * none for it). Batches are flat row-major arrays the caller keeps and refills: a step copies them
 * into the networks' buffers and allocates nothing. The discriminator must use binary
 * cross-entropy; its declared loss, label smoothing included, defines both losses. Like the
 * models, a trainer serves one thread at a time.
 */
public final class GanTrainer {
  /**
   * The losses of the last step, each a batch mean. The trainer returns the same instance from
   * every step (so a step allocates nothing): read it before the next step.
   */
  public static final class StepLosses {
    private double real;
    private double fake;
    private double generator;

    private StepLosses() {}

    /** The discriminator's loss on the real batch (label 1), before its step on that batch. */
    public double discriminatorReal() {
      return real;
    }

    /** The discriminator's loss on the fakes (label 0), after its step on the real batch. */
    public double discriminatorFake() {
      return fake;
    }

    /** The mean of the two discriminator losses. */
    public double discriminator() {
      return (real + fake) / 2;
    }

    /** The discriminator's loss on the fakes against label 1, after both of its steps. */
    public double generator() {
      return generator;
    }
  }

  private final ModelCore generator;
  private final ModelCore discriminator;
  private final CompiledNetwork g;
  private final CompiledNetwork d;
  private final int noiseSize;
  private final int sampleSize;
  private final int labelsPerSample;
  private final StepLosses losses = new StepLosses();

  /**
   * @param generator maps noise (its one input) to samples of the discriminator's input size
   * @param discriminator one input, binary cross-entropy: the probability that a sample is real
   */
  public GanTrainer(Model generator, Model discriminator) {
    Objects.requireNonNull(generator, "generator");
    Objects.requireNonNull(discriminator, "discriminator");
    this.generator = generator.core();
    this.discriminator = discriminator.core();
    if (this.generator == this.discriminator) {
      throw new IllegalArgumentException("the generator and the discriminator must be two models");
    }
    this.g = this.generator.program();
    this.d = this.discriminator.program();
    if (g.info().inputs().size() != 1 || d.info().inputs().size() != 1) {
      throw new IllegalArgumentException("a GAN's generator and discriminator take one input each; "
          + g.info().name() + " takes " + g.info().inputs().size() + ", " + d.info().name() + " "
          + d.info().inputs().size());
    }
    if (!"binary_crossentropy".equals(d.info().loss())) {
      throw new IllegalArgumentException("the discriminator " + d.info().name()
          + " must be declared with Loss.BINARY_CROSSENTROPY (labels 1 for real, 0 for generated), not "
          + d.info().loss());
    }
    this.noiseSize = g.info().inputSize(0);
    this.sampleSize = d.info().inputSize(0);
    if (g.info().outputSize() != sampleSize) {
      throw new IllegalArgumentException("the generator " + g.info().name() + " outputs " + g.info().outputSize()
          + " values per sample, the discriminator " + d.info().name() + " takes " + sampleSize);
    }
    this.labelsPerSample = d.info().targetSize();
  }

  /** Values per noise sample: the generator's input size. */
  public int noiseSize() {
    return noiseSize;
  }

  /** Values per real sample: the discriminator's input size. */
  public int sampleSize() {
    return sampleSize;
  }

  /**
   * One alternating step (see the class comment) on {@code n} real samples and {@code n} noise
   * samples, the first {@code n * sampleSize()} values of {@code real} and {@code n * noiseSize()}
   * of {@code noise} ([n][size], row-major).
   *
   * @return this trainer's {@link StepLosses}, holding the step's losses until the next step
   */
  public StepLosses step(float[] real, float[] noise, int n) {
    check(real, noise, n);
    // 1. The fakes: the generator's forward pass in training mode, kept for its backward pass.
    System.arraycopy(noise, 0, g.inputBuffer(0), 0, n * noiseSize);
    g.runForward(n, true);
    float[] fakes = g.outputBuffer();

    // 2. The discriminator learns: real samples are 1, fakes 0, one optimizer step each.
    float[] dInput = d.inputBuffer(0);
    float[] labels = d.targetBuffer();
    d.setLossWeights(null); // a weighted trainOnBatch before must not weigh these losses
    System.arraycopy(real, 0, dInput, 0, n * sampleSize);
    Arrays.fill(labels, 0, n * labelsPerSample, 1f);
    d.runForward(n, true);
    losses.real = d.runBackward(n);
    discriminator.applyGradients();

    System.arraycopy(fakes, 0, dInput, 0, n * sampleSize);
    Arrays.fill(labels, 0, n * labelsPerSample, 0f);
    d.runForward(n, true);
    losses.fake = d.runBackward(n);
    discriminator.applyGradients();

    // 3. The generator learns through the discriminator, which stays as it is: the input gradient
    // of its loss against "real" on the fakes, no parameter gradients, moving statistics kept.
    Arrays.fill(labels, 0, n * labelsPerSample, 1f);
    d.runForward(n, true, false);
    losses.generator = d.runBackward(n, false, true, true);
    System.arraycopy(d.inputGradientBuffer(0), 0, g.outputGradientBuffer(), 0, n * sampleSize);
    g.runBackward(n, true, false, false);
    generator.applyGradients();
    return losses;
  }

  private void check(float[] real, float[] noise, int n) {
    Objects.requireNonNull(real, "real");
    Objects.requireNonNull(noise, "noise");
    if (n < 1 || n > g.maxBatch() || n > d.maxBatch()) {
      throw new IllegalArgumentException("a GAN step takes 1 to " + Math.min(g.maxBatch(), d.maxBatch())
          + " samples (the models' maximum batches), got " + n);
    }
    if (real.length < (long) n * sampleSize) {
      throw new IllegalArgumentException("real has " + real.length + " values, fewer than " + n + " samples x "
          + sampleSize);
    }
    if (noise.length < (long) n * noiseSize) {
      throw new IllegalArgumentException("noise has " + noise.length + " values, fewer than " + n + " samples x "
          + noiseSize);
    }
    if (discriminator.inputChecks()) {
      BatchData.checkFinite(real, 0, n * sampleSize, "real", -1);
    }
    if (generator.inputChecks()) {
      BatchData.checkFinite(noise, 0, n * noiseSize, "noise", -1);
    }
  }
}
