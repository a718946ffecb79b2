package dev.kiln.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** Gradient descent with momentum in the seed's form: v = momentum * v + learningRate * g; w -= v. */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface Momentum {
  /** {@return the learning rate, >= 0} */
  double learningRate() default 0.01;

  /** {@return the momentum factor, in [0, 1)} */
  double momentum() default 0.9;
}
