// Tells prr the browser's time zone (cookie prr_tz, an IANA name such as Europe/Paris), so
// that pages show times in it when the account does not choose a zone. The server checks the
// name against its own zone database; this script changes nothing on the page.
(function () {
  "use strict";
  var zone;
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch (error) {
    return;
  }
  if (!zone || !/^[A-Za-z0-9_+\-\/]{1,64}$/.test(zone)) return;
  if (document.cookie.split("; ").indexOf("prr_tz=" + zone) !== -1) return;
  var secure = location.protocol === "https:" ? "; Secure" : "";
  document.cookie = "prr_tz=" + zone + "; Path=/; Max-Age=31536000; SameSite=Lax" + secure;
})();
