"""Fill translations into backend/locale/*/django.po from a table (a maintainer's tool).

    python tools/po_fill.py        then: cd backend && django-admin compilemessages

Only empty or fuzzy entries are filled; what a translator wrote stays. Needs polib
(pip install polib); nothing at run time does.
"""

from __future__ import annotations

from pathlib import Path

import polib

LOCALE = Path(__file__).resolve().parents[1] / "backend" / "locale"

# msgid -> {language: translation}; a plural entry maps to a (singular, plural) pair.
TABLE: dict[str, dict[str, object]] = {
    "Agents": {"es": "Agentes"},
    "Agent console": {"es": "Consola del agente"},
    "site": {"es": "sitio"},
    "shortcut": {"es": "atajo"},
    "Use 1-32 lowercase letters, digits, - or _.":
        {"es": "Usa de 1 a 32 letras minúsculas, dígitos, - o _."},
    "Typed as /shortcut in the composer.": {"es": "Se escribe como /atajo en el mensaje."},
    "text": {"es": "texto"},
    "canned response": {"es": "respuesta rápida"},
    "canned responses": {"es": "respuestas rápidas"},
    "Language": {"es": "Idioma"},
    "Change": {"es": "Cambiar"},
    "Console": {"es": "Consola"},
    "The console needs JavaScript.": {"es": "La consola necesita JavaScript."},
    "Connecting…": {"es": "Conectando…"},
    "Account": {"es": "Cuenta"},
    "%(name)s settings": {"es": "Configuración de %(name)s"},
    "Change password": {"es": "Cambiar contraseña"},
    "Log out %(name)s": {"es": "Salir (%(name)s)"},
    "Log in": {"es": "Entrar"},
    "Papo agent console": {"es": "Consola de atención de Papo"},
    "Your username and password didn't match. Please try again.":
        {"es": "Usuario o contraseña incorrectos. Inténtalo de nuevo."},
    "Your account doesn't have access to this page.":
        {"es": "Tu cuenta no tiene acceso a esta página."},
    "Username": {"es": "Usuario"},
    "Password": {"es": "Contraseña"},
    "Password changed": {"es": "Contraseña cambiada"},
    "Back to the console": {"es": "Volver a la consola"},
    "No access": {"es": "Sin acceso"},
    "Only the site's admins can change its settings.":
        {"es": "Solo los administradores del sitio pueden cambiar su configuración."},
    "You are signed in as %(name)s, but this account is not an agent of any site, so the "
    "console has nothing for you.":
        {"es": "Entraste como %(name)s, pero esta cuenta no es agente de ningún sitio, así "
               "que la consola no tiene nada para ti."},
    "Ask a site admin to add you to their site, then sign in again.":
        {"es": "Pide a un administrador del sitio que te añada y vuelve a entrar."},
    "Embed snippet": {"es": "Código de instalación"},
    "Paste this tag into every page of your site, just before the closing body tag.":
        {"es": "Pega esta etiqueta en todas las páginas de tu sitio, justo antes del cierre "
               "de la etiqueta body."},
    "Copied": {"es": "Copiado"},
    "Copy": {"es": "Copiar"},
    "Site key": {"es": "Clave del sitio"},
    "Save": {"es": "Guardar"},
    "Allowed origins": {"es": "Orígenes permitidos"},
    "Widget colour": {"es": "Color del widget"},
    "Greeting": {"es": "Saludo"},
    "Offline message": {"es": "Mensaje fuera de horario"},
    "Ask for name and email before the chat (pre-chat form)":
        {"es": "Pedir nombre y correo antes de la conversación (formulario previo)"},
    "Widget language": {"es": "Idioma del widget"},
    "Exact origins that may embed the widget, one per line, e.g. https://shop.example":
        {"es": "Orígenes exactos que pueden incrustar el widget, uno por línea, p. ej. "
               "https://tienda.ejemplo"},
    "Settings saved.": {"es": "Configuración guardada."},
    "Conversations": {"es": "Conversaciones"},
    "Waiting": {"es": "En espera"},
    "Open": {"es": "Abierta"},
    "Resolved": {"es": "Resuelta"},
    "Visitor": {"es": "Visitante"},
    "Agent": {"es": "Agente"},
    "System": {"es": "Sistema"},
    "Home": {"pt_BR": "Início", "es": "Inicio"},
    "No, take me back": {"pt_BR": "Não, voltar", "es": "No, volver"},
    "internal note": {"pt_BR": "nota interna", "es": "nota interna"},
    "Unsubscribe from these e-mails": {"pt_BR": "Não quero mais receber estes e-mails",
                                       "es": "No quiero recibir más estos correos"},
    "You have a reply from %(site)s": {"pt_BR": "Você tem uma resposta de %(site)s",
                                       "es": "Tienes una respuesta de %(site)s"},
    "%(site)s answered you in the chat, and you have not seen it yet:":
        {"pt_BR": "%(site)s respondeu você no chat, e você ainda não viu:",
         "es": "%(site)s te respondió en el chat y todavía no lo has visto:"},
    "Continue the chat": {"pt_BR": "Continuar a conversa", "es": "Continuar la conversación"},
    "The link works once, for %(days)s day.": {
        "pt_BR": ("O link funciona uma vez, por %(days)s dia.",
                  "O link funciona uma vez, por %(days)s dias."),
        "es": ("El enlace funciona una vez, durante %(days)s día.",
               "El enlace funciona una vez, durante %(days)s días.")},
    "You get this because you gave your e-mail address in the chat on %(site)s.":
        {"pt_BR": "Você recebe isto porque deu seu e-mail no chat de %(site)s.",
         "es": "Recibes esto porque diste tu correo en el chat de %(site)s."},
    "Transcript: chat with %(who)s": {"pt_BR": "Transcrição: conversa com %(who)s",
                                      "es": "Transcripción: conversación con %(who)s"},
    "The chat with %(who)s was resolved.": {"pt_BR": "A conversa com %(who)s foi resolvida.",
                                            "es": "La conversación con %(who)s se resolvió."},
    "E-mail": {"pt_BR": "E-mail", "es": "Correo"},
    "Open the conversation in Papo": {"pt_BR": "Abrir a conversa no Papo",
                                      "es": "Abrir la conversación en Papo"},
    "Papo sends this to the notification address of %(site)s.":
        {"pt_BR": "O Papo envia isto para o endereço de notificações de %(site)s.",
         "es": "Papo envía esto a la dirección de avisos de %(site)s."},
    "Transcript: chat with %(who)s on %(site)s":
        {"pt_BR": "Transcrição: conversa com %(who)s em %(site)s",
         "es": "Transcripción: conversación con %(who)s en %(site)s"},
    "Your conversation with %(site)s": {"pt_BR": "Sua conversa com %(site)s",
                                        "es": "Tu conversación con %(site)s"},
    "Here is your conversation with %(site)s, as you asked.":
        {"pt_BR": "Aqui está sua conversa com %(site)s, como você pediu.",
         "es": "Aquí está tu conversación con %(site)s, como pediste."},
    "You get this because you asked for it in the chat on %(site)s.":
        {"pt_BR": "Você recebe isto porque pediu no chat de %(site)s.",
         "es": "Recibes esto porque lo pediste en el chat de %(site)s."},
    "Unanswered chat from %(who)s": {"pt_BR": "Conversa sem resposta de %(who)s",
                                     "es": "Conversación sin respuesta de %(who)s"},
    "A visitor wrote on %(site)s and nobody has answered yet.":
        {"pt_BR": "Um visitante escreveu em %(site)s e ninguém respondeu ainda.",
         "es": "Un visitante escribió en %(site)s y nadie ha respondido todavía."},
    "Page": {"pt_BR": "Página", "es": "Página"},
    "Unanswered chat from %(who)s on %(site)s":
        {"pt_BR": "Conversa sem resposta de %(who)s em %(site)s",
         "es": "Conversación sin respuesta de %(who)s en %(site)s"},
    "Unsubscribe": {"pt_BR": "Cancelar inscrição", "es": "Darse de baja"},
    "This link does not work": {"pt_BR": "Este link não funciona",
                                "es": "Este enlace no funciona"},
    "It may have been changed on its way. Use the link in the e-mail as it came.":
        {"pt_BR": "Talvez tenha sido alterado no caminho. Use o link do e-mail como ele veio.",
         "es": "Puede que se haya alterado por el camino. Usa el enlace del correo tal como "
               "llegó."},
    "You are unsubscribed": {"pt_BR": "Inscrição cancelada", "es": "Te has dado de baja"},
    "%(email)s will get no more e-mails from %(site)s through Papo.":
        {"pt_BR": "%(email)s não vai mais receber e-mails de %(site)s pelo Papo.",
         "es": "%(email)s no recibirá más correos de %(site)s a través de Papo."},
    "Stop e-mails from %(site)s to %(email)s?":
        {"pt_BR": "Parar os e-mails de %(site)s para %(email)s?",
         "es": "¿Dejar de enviar correos de %(site)s a %(email)s?"},
    "%(agent)s joined the conversation": {"pt_BR": "%(agent)s entrou na conversa",
                                          "es": "%(agent)s se unió a la conversación"},
    "%(from)s passed the conversation to %(to)s":
        {"pt_BR": "%(from)s passou a conversa para %(to)s",
         "es": "%(from)s pasó la conversación a %(to)s"},
    "%(by)s marked the conversation as resolved":
        {"pt_BR": "%(by)s marcou a conversa como resolvida",
         "es": "%(by)s marcó la conversación como resuelta"},
    "%(agent)s reopened the conversation": {"pt_BR": "%(agent)s reabriu a conversa",
                                            "es": "%(agent)s reabrió la conversación"},
    "The conversation went back to the queue": {"pt_BR": "A conversa voltou para a fila",
                                                "es": "La conversación volvió a la cola"},
    "The conversation was ended": {"pt_BR": "A conversa foi encerrada",
                                   "es": "La conversación terminó"},
    "Consent-free mode": {"pt_BR": "Modo que dispensa consentimento",
                          "es": "Modo sin consentimiento"},
    "The widget stores nothing in the visitor's browser and contacts Papo only once they "
    "click the launcher. Copy the embed snippet again after changing this: it carries the "
    "setting.": {
        "pt_BR": "O widget não guarda nada no navegador do visitante e só contata o Papo "
                 "quando ele clica no botão do chat. Copie de novo o código de incorporação "
                 "depois de mudar isto: é ele que leva a configuração.",
        "es": "El widget no guarda nada en el navegador del visitante y solo contacta a Papo "
              "cuando hace clic en el botón del chat. Copia de nuevo el código de instalación "
              "después de cambiar esto: es él quien lleva la configuración."},
}


def main() -> None:
    for folder in sorted(LOCALE.iterdir()):
        path = folder / "LC_MESSAGES" / "django.po"
        po = polib.pofile(str(path))
        for entry in po:
            if entry.obsolete or (entry.translated() and "fuzzy" not in entry.flags):
                continue
            value = TABLE.get(entry.msgid, {}).get(folder.name)
            if value is None:
                continue
            if entry.msgid_plural:
                entry.msgstr_plural = {0: value[0], 1: value[1]}
            else:
                entry.msgstr = value
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
        po.save(str(path))
        missing = [e.msgid for e in po if not e.obsolete and not e.translated()]
        print(f"{folder.name}: {len(missing)} untranslated", *missing[:5], sep="\n  ")


if __name__ == "__main__":
    main()
