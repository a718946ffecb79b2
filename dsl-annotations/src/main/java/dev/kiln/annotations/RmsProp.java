package dev.kiln.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** RMSProp: r = rho * r + (1 - rho) * g^2; w -= learningRate * g / (sqrt(r) + epsilon). */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface RmsProp {
  /** {@return the learning rate, >= 0} */
  double learningRate() default 0.001;

  /** {@return the decay of the squared-gradient average, in [0, 1)} */
  double rho() default 0.9;

  /** {@return the epsilon added to the denominator, > 0} */
  double epsilon() default 1e-7;
}
