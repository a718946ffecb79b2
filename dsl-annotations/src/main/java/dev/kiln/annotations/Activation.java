package dev.kiln.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** An activation as a layer of its own (no parameters), applied to the previous layer's output. */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface Activation {
  /** {@return the activation function} */
  ActivationFunction value();

  /** {@return the slope or scale, as {@link Dense#alpha()}} */
  double alpha() default Double.NaN;

  /** {@return the softmax temperature, as {@link Dense#temperature()}} */
  double temperature() default 1.0;
}
