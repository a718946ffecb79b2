package dev.kiln.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares a network. The annotated interface or abstract class lists its layers as abstract
 * methods returning {@code dev.kiln.runtime.Layer}, in source order; the processor generates
 * {@code <Type>Model}, a class that implements the type and trains and predicts.
 *
 * <pre>{@code
 * @Network(input = 2, loss = Loss.MEAN_SQUARED_ERROR)
 * @Adam(learningRate = 0.05)
 * interface Xor {
 *   @Dense(units = 2, activation = LEAKY_RELU, kernelInit = HE_NORMAL) Layer hidden();
 *   @Dense(units = 1) Layer output();
 * }
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface Network {
  /**
   * {@return the shape of one input sample, e.g. {@code {784}} or {@code {28, 28, 1}}; every
   * dimension > 0} Layers name this input {@code input} when they take it explicitly. Leave it empty when the
   * network declares its inputs as {@link Input @Input} methods instead (several inputs).
   */
  int[] input() default {};

  /** {@return the training loss} */
  Loss loss();

  /**
   * {@return the label smoothing for the cross-entropy losses, in [0, 1)} Targets become {@code y (1 - s) + s /
   * classes} (categorical) or {@code y (1 - s) + s / 2} (binary), as Keras's {@code label_smoothing}.
   */
  double labelSmoothing() default 0.0;

  /**
   * {@return whether a cross-entropy loss reads logits from a LINEAR output layer} (PyTorch's habit,
   * Keras's {@code from_logits=True}): the loss applies softmax (categorical, sparse categorical) or
   * sigmoid (binary) itself, fused and stable as for a softmax or sigmoid output, and {@code
   * predict} returns the logits, not probabilities. Binary accuracy then counts a logit above 0 as
   * 1. Only for the cross-entropy losses, and only on a LINEAR output.
   */
  boolean fromLogits() default false;

  /**
   * {@return the largest batch the generated buffers hold by default} {@code fit}, {@code evaluate} and batch
   * {@code predict} split larger inputs into batches of at most this size. A model can be built
   * with another maximum at run time.
   */
  int maxBatch() default 256;
}
