package dev.kiln.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * One input of a network with several inputs (Keras's {@code Input}): the method's name names the
 * input, and {@code fit}, {@code evaluate} and {@code predict} take one array per input, in the
 * order the inputs are declared. A network declares either {@code @Network(input = ...)} or
 * {@code @Input} methods, not both.
 *
 * <pre>{@code
 * @Input(784) Layer image();
 * @Input(12) Layer tabular();
 * @Dense(units = 64, activation = RELU) Layer imageFeatures(Layer image);
 * @Concatenate Layer joined(Layer imageFeatures, Layer tabular);
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface Input {
  /**
   * {@return the shape of one sample of this input, e.g. {@code 12} or {@code {28, 28, 1}}; every
   * dimension > 0}
   */
  int[] value();
}
