package dev.kiln.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Gives the input a new shape with the same number of values (Keras's {@code Reshape}): a
 * generator turns a dense output of 784 values into an image of {@code {28, 28, 1}}. Values keep
 * their row-major order, so the layer is a view: nothing is copied forward or backward.
 *
 * <pre>{@code
 * @Dense(units = 784, activation = TANH) Layer pixels();
 * @Reshape({28, 28, 1}) Layer image();
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface Reshape {
  /**
   * {@return the shape of one output sample, e.g. {@code {28, 28, 1}}; every dimension > 0, and
   * their product equal to the input's size}
   */
  int[] value();
}
