// kehu: the browser copy of Ajv's Draft 2020-12 validator, as one global (window.KehuAjv2020)
import Ajv2020 from "ajv/dist/2020";
window.KehuAjv2020 = Ajv2020;
