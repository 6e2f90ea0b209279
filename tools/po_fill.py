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
    "time zone": {"pt_BR": "fuso horário", "es": "zona horaria"},
    "Time zone": {"pt_BR": "Fuso horário", "es": "Zona horaria"},
    "The zone the opening hours are written in, e.g. Europe/Lisbon.": {
        "pt_BR": "O fuso em que o horário de atendimento está escrito, p. ex. "
                 "America/Sao_Paulo.",
        "es": "La zona en la que está escrito el horario de atención, p. ej. Europe/Madrid."},
    "opening hours": {"pt_BR": "horário de atendimento", "es": "horario de atención"},
    "Opening hours": {"pt_BR": "Horário de atendimento", "es": "Horario de atención"},
    "One line per day or days: “mon-fri 09:00-18:00”, “sat 10:00-13:00 15:00-19:00”; "
    "past midnight: “fri 22:00-02:00”. Empty: always open.": {
        "pt_BR": "Uma linha por dia ou dias (em inglês: mon tue wed thu fri sat sun): "
                 "“mon-fri 09:00-18:00”, “sat 10:00-13:00 15:00-19:00”; depois da "
                 "meia-noite: “fri 22:00-02:00”. Vazio: sempre aberto.",
        "es": "Una línea por día o días (en inglés: mon tue wed thu fri sat sun): "
              "“mon-fri 09:00-18:00”, “sat 10:00-13:00 15:00-19:00”; pasada la "
              "medianoche: “fri 22:00-02:00”. Vacío: siempre abierto."},
    "holidays": {"pt_BR": "feriados", "es": "festivos"},
    "Holidays": {"pt_BR": "Feriados", "es": "Festivos"},
    "Days closed, one per line: 2025-12-25, or 12-25 for every year.": {
        "pt_BR": "Dias fechados, um por linha: 2025-12-25, ou 12-25 para todos os anos.",
        "es": "Días cerrados, uno por línea: 2025-12-25, o 12-25 para todos los años."},
    "keep a waiting visitor's place (minutes)": {
        "pt_BR": "manter o lugar de um visitante na fila (minutos)",
        "es": "mantener el lugar de un visitante en la cola (minutos)"},
    "Keep a waiting visitor's place (minutes)": {
        "pt_BR": "Manter o lugar de um visitante na fila (minutos)",
        "es": "Mantener el lugar de un visitante en la cola (minutos)"},
    "A visitor waiting in the queue who has had no page of the site open for this long "
    "leaves it; their chat is closed as abandoned (0: never).": {
        "pt_BR": "Um visitante na fila que ficou esse tempo sem nenhuma página do site aberta "
                 "sai dela; a conversa é encerrada como abandonada (0: nunca).",
        "es": "Un visitante en la cola que pasa este tiempo sin ninguna página del sitio "
              "abierta sale de ella; su conversación se cierra como abandonada (0: nunca)."},
    "%(name)s is not a time zone (use a name such as Europe/Lisbon or America/Sao_Paulo).": {
        "pt_BR": "%(name)s não é um fuso horário (use um nome como America/Sao_Paulo ou "
                 "Europe/Lisbon).",
        "es": "%(name)s no es una zona horaria (usa un nombre como Europe/Madrid o "
              "America/Mexico_City)."},
    "Line %(n)d (“%(line)s”) is not “<days> <from>-<to>”, e.g. “mon-fri 09:00-18:00” or "
    "“sat 10:00-14:00 16:00-20:00” (days: mon tue wed thu fri sat sun; times 00:00 to "
    "24:00).": {
        "pt_BR": "A linha %(n)d (“%(line)s”) não está no formato “<dias> <de>-<até>”, p. ex. "
                 "“mon-fri 09:00-18:00” ou “sat 10:00-14:00 16:00-20:00” (dias em inglês: "
                 "mon tue wed thu fri sat sun; horas de 00:00 a 24:00).",
        "es": "La línea %(n)d (“%(line)s”) no tiene la forma “<días> <desde>-<hasta>”, p. ej. "
              "“mon-fri 09:00-18:00” o “sat 10:00-14:00 16:00-20:00” (días en inglés: "
              "mon tue wed thu fri sat sun; horas de 00:00 a 24:00)."},
    "“%(item)s” is not a date: write YYYY-MM-DD, or MM-DD for every year.": {
        "pt_BR": "“%(item)s” não é uma data: escreva AAAA-MM-DD, ou MM-DD para todos os anos.",
        "es": "“%(item)s” no es una fecha: escribe AAAA-MM-DD, o MM-DD para todos los años."},
    "Notification address": {"pt_BR": "Endereço de notificações", "es": "Dirección de avisos"},
    "E-mail unseen replies after (minutes)": {
        "pt_BR": "Mandar por e-mail respostas não vistas depois de (minutos)",
        "es": "Enviar por correo las respuestas no vistas después de (minutos)"},
    "Send each resolved chat's transcript there": {
        "pt_BR": "Enviar para lá a transcrição de cada conversa resolvida",
        "es": "Enviar allí la transcripción de cada conversación resuelta"},
    "Chats nobody answered and messages left while you were away are mailed here. Empty: to "
    "the site's admins.": {
        "pt_BR": "Conversas sem resposta e mensagens deixadas enquanto vocês estavam fora vêm "
                 "para cá. Vazio: para os administradores do site.",
        "es": "Las conversaciones sin respuesta y los mensajes dejados mientras no estaban "
              "llegan aquí. Vacío: a los administradores del sitio."},
    "A reply the visitor has not read after this long is mailed to them, with a link to "
    "continue the chat (0: never).": {
        "pt_BR": "Uma resposta que o visitante não leu depois desse tempo vai para o e-mail "
                 "dele, com um link para continuar a conversa (0: nunca).",
        "es": "Una respuesta que el visitante no leyó después de este tiempo se le envía por "
              "correo, con un enlace para continuar la conversación (0: nunca)."},
    "File types visitors and agents may send": {
        "pt_BR": "Tipos de arquivo que visitantes e agentes podem enviar",
        "es": "Tipos de archivo que visitantes y agentes pueden enviar"},
    "Largest file (bytes; 0: no files)": {
        "pt_BR": "Maior arquivo (bytes; 0: nenhum arquivo)",
        "es": "Archivo más grande (bytes; 0: ningún archivo)"},
    # Issue 22, the site owner's path (console setup, install check, team, invites): pt-BR.
    'Owner':
        {"pt_BR": 'Dono'},
    'Admin':
        {"pt_BR": 'Administrador'},
    'A site keeps at least one owner: make someone else owner first.':
        {"pt_BR": 'Um site sempre tem pelo menos um dono: torne outra pessoa dona primeiro.'},
    'Your role on this site does not allow that.':
        {"pt_BR": 'Seu papel neste site não permite isso.'},
    'That is not there any more; reload the page.':
        {"pt_BR": 'Isso não existe mais; recarregue a página.'},
    'Your name':
        {"pt_BR": 'Seu nome'},
    'What colleagues see in the console.':
        {"pt_BR": 'O que os colegas veem no console.'},
    'Name':
        {"pt_BR": 'Nome'},
    'As visitors and your team will see it, e.g. Acme Shop.':
        {"pt_BR": 'Como visitantes e sua equipe vão vê-lo, por exemplo Loja Acme.'},
    "Your website's address":
        {"pt_BR": 'O endereço do seu site'},
    'Where you will paste the chat: the widget loads only on pages of this address. You can add '
    'more later.':
        {"pt_BR": (
            'Onde você vai colar o chat: o widget só carrega em páginas deste endereço. Você '
            'pode adicionar outros depois.')},
    'Type the address of your website, like https://shop.example.':
        {"pt_BR": 'Digite o endereço do seu site, como https://loja.exemplo.'},
    '%(name)s is ready. Paste the snippet below into your pages.':
        {"pt_BR": '%(name)s está pronto. Cole o código abaixo nas suas páginas.'},
    '%(origin)s is allowed. Reload a page there: the widget loads, and this check turns green.':
        {"pt_BR": (
            '%(origin)s foi permitido. Recarregue uma página de lá: o widget carrega e esta '
            'verificação fica verde.')},
    'Agent: answers chats':
        {"pt_BR": 'Agente: responde chats'},
    'Admin: also settings and team':
        {"pt_BR": 'Administrador: também configurações e equipe'},
    'Owner: everything':
        {"pt_BR": 'Dono: tudo'},
    'E-mail address':
        {"pt_BR": 'Endereço de e-mail'},
    'Role':
        {"pt_BR": 'Papel'},
    'Chats at once':
        {"pt_BR": 'Chats ao mesmo tempo'},
    'How many chats routing gives them at the same time.':
        {"pt_BR": 'Quantos chats a distribuição entrega a essa pessoa ao mesmo tempo.'},
    '%(email)s had an account here: they are a member now, and were told by e-mail.':
        {"pt_BR": (
            '%(email)s já tinha uma conta aqui: agora é membro, e foi avisado por e-mail.')},
    '%(email)s had an account here: they are a member now.':
        {"pt_BR": '%(email)s já tinha uma conta aqui: agora é membro.'},
    'Invitation mailed to %(email)s.':
        {"pt_BR": 'Convite enviado por e-mail para %(email)s.'},
    "This server sends no e-mail: copy the invitation's link below and send it to %(email)s "
    'yourself.':
        {"pt_BR": (
            'Este servidor não envia e-mail: copie o link do convite abaixo e envie você mesmo '
            'para %(email)s.')},
    'Choose a role and a number of chats from 0.':
        {"pt_BR": 'Escolha um papel e um número de chats a partir de 0.'},
    'Saved.':
        {"pt_BR": 'Salvo.'},
    'Removed from the site.':
        {"pt_BR": 'Removido do site.'},
    'Choose who takes the site over.':
        {"pt_BR": 'Escolha quem assume o site.'},
    'The site has a new owner; you are one of its admins now.':
        {"pt_BR": 'O site tem um novo dono; agora você é um dos administradores.'},
    'Sent again; the earlier link no longer works.':
        {"pt_BR": 'Enviado de novo; o link anterior não funciona mais.'},
    'A new link; the earlier one no longer works.':
        {"pt_BR": 'Um novo link; o anterior não funciona mais.'},
    'Invitation revoked; its link no longer works.':
        {"pt_BR": 'Convite revogado; o link dele não funciona mais.'},
    '%(name)s: site pages':
        {"pt_BR": '%(name)s: páginas do site'},
    'Install':
        {"pt_BR": 'Instalar'},
    'Team':
        {"pt_BR": 'Equipe'},
    'Settings':
        {"pt_BR": 'Configurações'},
    'Inbox':
        {"pt_BR": 'Caixa de entrada'},
    'A page your site does not allow tried to load the chat':
        {"pt_BR": (
            'Uma página que seu site não permite tentou carregar o chat',
            '%(n)s páginas que seu site não permite tentaram carregar o chat')},
    'a page was refused':
        {"pt_BR": 'uma página foi recusada'},
    'New site':
        {"pt_BR": 'Novo site'},
    'Welcome to Papo':
        {"pt_BR": 'Boas-vindas ao Papo'},
    'You are invited to answer chats for %(sites)s.':
        {"pt_BR": 'Você foi convidado para responder chats de %(sites)s.'},
    'Your username is %(email)s.':
        {"pt_BR": 'Seu nome de usuário é %(email)s.'},
    'Join':
        {"pt_BR": 'Entrar na equipe'},
    'This link no longer works':
        {"pt_BR": 'Este link não funciona mais'},
    'It was used already, it expired, or the invitation was revoked or sent again. Ask whoever '
    'invited you for a new one.':
        {"pt_BR": (
            'Ele já foi usado, expirou, ou o convite foi revogado ou enviado de novo. Peça um '
            'novo a quem convidou você.')},
    'Create your site':
        {"pt_BR": 'Crie seu site'},
    'Three steps to a live chat on your website: name your site, paste one snippet into your '
    'pages, and check that it loads. It takes two minutes.':
        {"pt_BR": (
            'Três passos para um chat funcionando no seu site: dê um nome ao site, cole um '
            'código nas suas páginas e confira que ele carrega. Leva dois minutos.')},
    'Create a site':
        {"pt_BR": 'Criar um site'},
    'Steps':
        {"pt_BR": 'Passos'},
    'Name your site':
        {"pt_BR": 'Dê um nome ao site'},
    'Paste the snippet':
        {"pt_BR": 'Cole o código'},
    'See it live':
        {"pt_BR": 'Veja funcionando'},
    'Create the site':
        {"pt_BR": 'Criar o site'},
    "Only the site's owners and admins can see this page.":
        {"pt_BR": 'Só os donos e administradores do site podem ver esta página.'},
    "Only the site's owners can do this.":
        {"pt_BR": 'Só os donos do site podem fazer isso.'},
    'On this Papo, only its staff can create sites. Ask whoever runs it to create yours, or to '
    'add you to a site.':
        {"pt_BR": (
            'Neste Papo, só a equipe que o administra pode criar sites. Peça a quem o mantém '
            'para criar o seu, ou para adicionar você a um site.')},
    'Install %(name)s':
        {"pt_BR": 'Instalar %(name)s'},
    'The widget stays hidden there. If these pages are yours, allow them; if not, ignore this.':
        {"pt_BR": (
            'O widget fica escondido lá. Se essas páginas são suas, permita-as; se não, ignore '
            'isto.')},
    'last tried %(when)s':
        {"pt_BR": 'última tentativa %(when)s'},
    'Allow %(origin)s':
        {"pt_BR": 'Permitir %(origin)s'},
    'A page opened from a file or a sandboxed frame: serve it from your website instead.':
        {"pt_BR": (
            'Uma página aberta de um arquivo ou de um frame isolado (sandbox): sirva-a a partir '
            'do seu site.')},
    '1. Paste the snippet':
        {"pt_BR": '1. Cole o código'},
    'Paste this into every page of your site, just before the closing body tag.':
        {"pt_BR": (
            'Cole isto em todas as páginas do seu site, logo antes do fechamento da tag body.')},
    'Copy the snippet':
        {"pt_BR": 'Copiar o código'},
    '2. Check it is live':
        {"pt_BR": '2. Confira que está funcionando'},
    'Your chat is live: the widget loaded on your site.':
        {"pt_BR": 'Seu chat está no ar: o widget carregou no seu site.'},
    'widget loaded %(when)s':
        {"pt_BR": 'widget carregado %(when)s'},
    'allowed now: reload a page there':
        {"pt_BR": 'permitido agora: recarregue uma página de lá'},
    'not seen yet':
        {"pt_BR": 'ainda não visto'},
    "No address is allowed yet: add your website's address in the settings.":
        {"pt_BR": (
            'Nenhum endereço permitido ainda: adicione o endereço do seu site nas configurações.')},
    'Check again':
        {"pt_BR": 'Conferir de novo'},
    'Allowed addresses and other settings':
        {"pt_BR": 'Endereços permitidos e outras configurações'},
    '3. Bring your team':
        {"pt_BR": '3. Traga sua equipe'},
    'Invite the people who will answer chats, then answer them in the inbox.':
        {"pt_BR": 'Convide quem vai responder os chats, e responda-os na caixa de entrada.'},
    'Invite your team':
        {"pt_BR": 'Convidar sua equipe'},
    'Open the inbox':
        {"pt_BR": 'Abrir a caixa de entrada'},
    'Is it live? The install check':
        {"pt_BR": 'Está funcionando? A verificação da instalação'},
    'Identity secret':
        {"pt_BR": 'Segredo de identidade'},
    "Your server signs your signed-in users' ids with it, so agents know who they are (README: "
    'identity verification). Keep it on your server; never put it in a page.':
        {"pt_BR": (
            'Seu servidor assina com ele os ids dos usuários logados, para que os agentes '
            'saibam quem são (README: verificação de identidade). Guarde-o no seu servidor; '
            'nunca o coloque em uma página.')},
    'Show':
        {"pt_BR": 'Mostrar'},
    'Rotate':
        {"pt_BR": 'Trocar'},
    'Delete this site':
        {"pt_BR": 'Excluir este site'},
    'Its conversations, visitors and files go with it, for good.':
        {"pt_BR": 'As conversas, visitantes e arquivos dele vão junto, para sempre.'},
    'Type “%(name)s” to confirm':
        {"pt_BR": 'Digite “%(name)s” para confirmar'},
    'Delete the site':
        {"pt_BR": 'Excluir o site'},
    '%(name)s team':
        {"pt_BR": 'Equipe de %(name)s'},
    'Members':
        {"pt_BR": 'Membros'},
    'Owners can do everything, including deleting the site. Admins change settings and the '
    'team. Agents answer chats. Chats at once: how many chats routing gives each at the same '
    'time.':
        {"pt_BR": (
            'Donos podem tudo, inclusive excluir o site. Administradores mudam as configurações '
            'e a equipe. Agentes respondem chats. Chats ao mesmo tempo: quantos chats a '
            'distribuição entrega a cada um ao mesmo tempo.')},
    'you':
        {"pt_BR": 'você'},
    '%(n)s chat at once':
        {"pt_BR": (
            '%(n)s chat ao mesmo tempo',
            '%(n)s chats ao mesmo tempo')},
    'Leave the site':
        {"pt_BR": 'Sair do site'},
    'Remove':
        {"pt_BR": 'Remover'},
    'Invite someone':
        {"pt_BR": 'Convidar alguém'},
    'They get an e-mail with a link to choose their password, then they are in.':
        {"pt_BR": 'A pessoa recebe um e-mail com um link para escolher a senha, e pronto.'},
    'This server sends no e-mail: you get a link to send them yourself.':
        {"pt_BR": 'Este servidor não envia e-mail: você recebe um link para enviar você mesmo.'},
    'Invite':
        {"pt_BR": 'Convidar'},
    'Invitations waiting':
        {"pt_BR": 'Convites pendentes'},
    'sent %(when)s':
        {"pt_BR": 'enviado %(when)s'},
    'Send again':
        {"pt_BR": 'Enviar de novo'},
    'New link':
        {"pt_BR": 'Novo link'},
    'Revoke':
        {"pt_BR": 'Revogar'},
    'Copy the link':
        {"pt_BR": 'Copiar o link'},
    'Hand the site over':
        {"pt_BR": 'Passar o site adiante'},
    'The member you choose becomes an owner; you become an admin.':
        {"pt_BR": 'O membro que você escolher vira dono; você vira administrador.'},
    'New owner':
        {"pt_BR": 'Novo dono'},
    'Hand over':
        {"pt_BR": 'Passar adiante'},
    'just now':
        {"pt_BR": 'agora mesmo'},
    '%(time)s ago':
        {"pt_BR": 'há %(time)s'},
    'A new identity secret: put it on your server now. Visitors identified with the old one are '
    'refused.':
        {"pt_BR": (
            'Um novo segredo de identidade: coloque-o no seu servidor agora. Visitantes '
            'identificados com o antigo são recusados.')},
    "Type the site's name exactly to delete it.":
        {"pt_BR": 'Digite o nome do site exatamente para excluí-lo.'},
    '%(name)s was deleted.':
        {"pt_BR": '%(name)s foi excluído.'},
    'You can now answer chats for %(site)s':
        {"pt_BR": 'Agora você pode responder chats de %(site)s'},
    'You were added to %(site)s on Papo. Its chats are in your console:':
        {"pt_BR": 'Você foi adicionado a %(site)s no Papo. Os chats dele estão no seu console:'},
    'Open the console':
        {"pt_BR": 'Abrir o console'},
    'Papo sends this because an owner or admin of %(site)s added this address.':
        {"pt_BR": (
            'O Papo envia isto porque um dono ou administrador de %(site)s adicionou este '
            'endereço.')},
    'You are invited to answer chats for %(site)s':
        {"pt_BR": 'Você foi convidado para responder chats de %(site)s'},
    '%(who)s invited you to %(site)s on Papo, as %(role)s.':
        {"pt_BR": '%(who)s convidou você para %(site)s no Papo, como %(role)s.'},
    'You are invited to %(site)s on Papo, as %(role)s.':
        {"pt_BR": 'Você foi convidado para %(site)s no Papo, como %(role)s.'},
    'Choose your password':
        {"pt_BR": 'Escolha sua senha'},
    'If you did not expect this, ignore it: nothing happens without the link.':
        {"pt_BR": 'Se você não esperava isto, ignore: nada acontece sem o link.'},
    'Papo sends this because an owner or admin of %(site)s invited this address.':
        {"pt_BR": (
            'O Papo envia isto porque um dono ou administrador de %(site)s convidou este '
            'endereço.')},
    'Choose your password here, then you are in the console:':
        {"pt_BR": 'Escolha sua senha aqui, e você entra no console:'},
    'Not seen yet: open a page of your site with the snippet and click the chat button. '
    'This page checks again by itself every few seconds.':
        {"pt_BR": (
            'Ainda não visto: abra uma página do seu site com o código e clique no botão do '
            'chat. Esta página confere de novo sozinha a cada poucos segundos.')},
    # The Reports page (console/reports/, site_reports.html) and its CSV
    'group': {"pt_BR": 'grupo'},
    'name': {"pt_BR": 'nome'},
    'conversations': {"pt_BR": 'conversas'},
    'answered': {"pt_BR": 'respondidas'},
    'missed': {"pt_BR": 'perdidas'},
    'unanswered': {"pt_BR": 'sem resposta'},
    'first response median (s)': {"pt_BR": 'primeira resposta, mediana (s)'},
    'first response p90 (s)': {"pt_BR": 'primeira resposta, p90 (s)'},
    'resolution median (s)': {"pt_BR": 'resolução, mediana (s)'},
    'resolution p90 (s)': {"pt_BR": 'resolução, p90 (s)'},
    'ratings': {"pt_BR": 'avaliações'},
    'average rating': {"pt_BR": 'avaliação média'},
    'satisfied (%)': {"pt_BR": 'satisfeitos (%)'},
    'total': {"pt_BR": 'total'},
    'agent': {"pt_BR": 'agente'},
    'not assigned': {"pt_BR": 'sem agente'},
    'tag': {"pt_BR": 'etiqueta'},
    'no tag': {"pt_BR": 'sem etiqueta'},
    'day': {"pt_BR": 'dia'},
    'hour': {"pt_BR": 'hora'},
    'Reports': {"pt_BR": 'Relatórios'},
    '%(name)s reports': {"pt_BR": 'Relatórios de %(name)s'},
    'Days to report on': {"pt_BR": 'Dias do relatório'},
    'From': {"pt_BR": 'De'},
    'To': {"pt_BR": 'Até'},
    'Download CSV': {"pt_BR": 'Baixar CSV'},
    ("Chats by the day they started, in the site's time zone (%(zone)s); up to %(max)s days "
     "at once."):
        {"pt_BR": ("Chats pelo dia em que começaram, no fuso horário do site (%(zone)s); até "
                   "%(max)s dias de uma vez.")},
    'The reports need JavaScript; the CSV has the same figures.':
        {"pt_BR": 'Os relatórios precisam de JavaScript; o CSV tem os mesmos números.'},
    "Last %(n)s day": {"pt_BR": ("Últimos %(n)s dia", "Últimos %(n)s dias")},
}

# Issue 22, Spanish for the console's own pages (setup, install check, team, invites,
# reports, their mail): neutral Spanish with "tú", the widget's words (widget/src/i18n.ts:
# chat, conversación, agente, correo) and the console's (sitio, código, respuesta rápida).
ES: dict[str, object] = {
    "Owner": "Propietario",
    "Admin": "Administrador",
    "A site keeps at least one owner: make someone else owner first.":
        "Un sitio siempre tiene al menos un propietario: haz propietario a otra persona "
        "primero.",
    "Your role on this site does not allow that.": "Tu rol en este sitio no lo permite.",
    "That is not there any more; reload the page.": "Eso ya no existe; recarga la página.",
    "Your name": "Tu nombre",
    "What colleagues see in the console.": "Lo que tus compañeros ven en la consola.",
    # The Reports page's CSV
    "group": "grupo",
    "name": "nombre",
    "conversations": "conversaciones",
    "answered": "respondidas",
    "missed": "perdidas",
    "unanswered": "sin respuesta",
    "first response median (s)": "primera respuesta, mediana (s)",
    "first response p90 (s)": "primera respuesta, p90 (s)",
    "resolution median (s)": "resolución, mediana (s)",
    "resolution p90 (s)": "resolución, p90 (s)",
    "ratings": "valoraciones",
    "average rating": "valoración media",
    "satisfied (%)": "satisfechos (%)",
    "total": "total",
    "agent": "agente",
    "not assigned": "sin agente",
    "tag": "etiqueta",
    "no tag": "sin etiqueta",
    "day": "día",
    "hour": "hora",
    # Creating a site, the install check
    "Name": "Nombre",
    "As visitors and your team will see it, e.g. Acme Shop.":
        "Como lo verán los visitantes y tu equipo, p. ej. Tienda Acme.",
    "Your website's address": "La dirección de tu sitio web",
    "Where you will paste the chat: the widget loads only on pages of this address. You can "
    "add more later.":
        "Donde pegarás el chat: el widget solo carga en páginas de esta dirección. Puedes "
        "añadir más después.",
    "Type the address of your website, like https://shop.example.":
        "Escribe la dirección de tu sitio web, como https://tienda.ejemplo.",
    "%(name)s is ready. Paste the snippet below into your pages.":
        "%(name)s está listo. Pega el código de abajo en tus páginas.",
    "%(origin)s is allowed. Reload a page there: the widget loads, and this check turns green.":
        "%(origin)s está permitido. Recarga una página allí: el widget carga y esta "
        "comprobación se pone verde.",
    # Team and invitations
    "Agent: answers chats": "Agente: responde chats",
    "Admin: also settings and team": "Administrador: también configuración y equipo",
    "Owner: everything": "Propietario: todo",
    "E-mail address": "Correo electrónico",
    "Role": "Rol",
    "Chats at once": "Chats a la vez",
    "How many chats routing gives them at the same time.":
        "Cuántos chats le asigna el reparto al mismo tiempo.",
    "%(email)s had an account here: they are a member now, and were told by e-mail.":
        "%(email)s ya tenía una cuenta aquí: ahora es miembro y se le avisó por correo.",
    "%(email)s had an account here: they are a member now.":
        "%(email)s ya tenía una cuenta aquí: ahora es miembro.",
    "Invitation mailed to %(email)s.": "Invitación enviada por correo a %(email)s.",
    "This server sends no e-mail: copy the invitation's link below and send it to "
    "%(email)s yourself.":
        "Este servidor no envía correos: copia el enlace de la invitación de abajo y "
        "envíaselo tú a %(email)s.",
    "Choose a role and a number of chats from 0.": "Elige un rol y un número de chats desde 0.",
    "Saved.": "Guardado.",
    "Removed from the site.": "Quitado del sitio.",
    "Choose who takes the site over.": "Elige quién se queda con el sitio.",
    "The site has a new owner; you are one of its admins now.":
        "El sitio tiene un nuevo propietario; ahora eres uno de sus administradores.",
    "Sent again; the earlier link no longer works.":
        "Enviada de nuevo; el enlace anterior ya no funciona.",
    "A new link; the earlier one no longer works.":
        "Un enlace nuevo; el anterior ya no funciona.",
    "Invitation revoked; its link no longer works.":
        "Invitación revocada; su enlace ya no funciona.",
    # The site's pages, their tabs and the header
    "%(name)s: site pages": "%(name)s: páginas del sitio",
    "Install": "Instalar",
    "Team": "Equipo",
    "Reports": "Informes",
    "Settings": "Configuración",
    "Inbox": "Bandeja de entrada",
    "A page your site does not allow tried to load the chat": (
        "Una página que tu sitio no permite intentó cargar el chat",
        "%(n)s páginas que tu sitio no permite intentaron cargar el chat"),
    "a page was refused": "se rechazó una página",
    "New site": "Nuevo sitio",
    "Welcome to Papo": "Te damos la bienvenida a Papo",
    "You are invited to answer chats for %(sites)s.":
        "Te invitaron a responder chats de %(sites)s.",
    "Your username is %(email)s.": "Tu nombre de usuario es %(email)s.",
    "Join": "Unirme al equipo",
    "This link no longer works": "Este enlace ya no funciona",
    "It was used already, it expired, or the invitation was revoked or sent again. Ask "
    "whoever invited you for a new one.":
        "Ya se usó, caducó, o la invitación se revocó o se volvió a enviar. Pide una nueva "
        "a quien te invitó.",
    "Create your site": "Crea tu sitio",
    "Three steps to a live chat on your website: name your site, paste one snippet into "
    "your pages, and check that it loads. It takes two minutes.":
        "Tres pasos para tener el chat funcionando en tu sitio web: ponle nombre a tu "
        "sitio, pega un código en tus páginas y comprueba que carga. Son dos minutos.",
    "Create a site": "Crear un sitio",
    "Steps": "Pasos",
    "Name your site": "Ponle nombre a tu sitio",
    "Paste the snippet": "Pega el código",
    "See it live": "Míralo funcionando",
    "Create the site": "Crear el sitio",
    "Only the site's owners and admins can see this page.":
        "Solo los propietarios y administradores del sitio pueden ver esta página.",
    "Only the site's owners can do this.": "Solo los propietarios del sitio pueden hacer esto.",
    "On this Papo, only its staff can create sites. Ask whoever runs it to create yours, "
    "or to add you to a site.":
        "En este Papo, solo su equipo técnico puede crear sitios. Pide a quien lo "
        "administra que cree el tuyo o que te añada a un sitio.",
    "Install %(name)s": "Instalar %(name)s",
    "The widget stays hidden there. If these pages are yours, allow them; if not, ignore "
    "this.":
        "Allí el widget no se muestra. Si esas páginas son tuyas, permítelas; si no, "
        "ignora esto.",
    "last tried %(when)s": "último intento %(when)s",
    "Allow %(origin)s": "Permitir %(origin)s",
    "A page opened from a file or a sandboxed frame: serve it from your website instead.":
        "Una página abierta desde un archivo o un marco aislado (sandbox): sírvela desde "
        "tu sitio web.",
    "1. Paste the snippet": "1. Pega el código",
    "Paste this into every page of your site, just before the closing body tag.":
        "Pega esto en todas las páginas de tu sitio, justo antes del cierre de la "
        "etiqueta body.",
    "Copy the snippet": "Copiar el código",
    "2. Check it is live": "2. Comprueba que funciona",
    "Your chat is live: the widget loaded on your site.":
        "Tu chat está funcionando: el widget cargó en tu sitio.",
    "Not seen yet: open a page of your site with the snippet and click the chat button. "
    "This page checks again by itself every few seconds.":
        "Aún no se ha visto: abre una página de tu sitio con el código y haz clic en el "
        "botón del chat. Esta página vuelve a comprobar sola cada pocos segundos.",
    "widget loaded %(when)s": "widget cargado %(when)s",
    "allowed now: reload a page there": "ya permitido: recarga una página allí",
    "not seen yet": "aún no se ha visto",
    "No address is allowed yet: add your website's address in the settings.":
        "Todavía no hay ninguna dirección permitida: añade la de tu sitio web en la "
        "configuración.",
    "Check again": "Volver a comprobar",
    "Allowed addresses and other settings": "Direcciones permitidas y otras opciones",
    "3. Bring your team": "3. Suma a tu equipo",
    "Invite the people who will answer chats, then answer them in the inbox.":
        "Invita a quienes responderán los chats y respóndelos en la bandeja de entrada.",
    "Invite your team": "Invitar a tu equipo",
    "Open the inbox": "Abrir la bandeja de entrada",
    # Reports
    "%(name)s reports": "Informes de %(name)s",
    "Days to report on": "Días del informe",
    "From": "Desde",
    "To": "Hasta",
    "Show": "Mostrar",
    "Last %(n)s day": ("Último %(n)s día", "Últimos %(n)s días"),
    "Download CSV": "Descargar CSV",
    "Chats by the day they started, in the site's time zone (%(zone)s); up to %(max)s days "
    "at once.":
        "Chats según el día en que empezaron, en la zona horaria del sitio (%(zone)s); "
        "hasta %(max)s días a la vez.",
    "The reports need JavaScript; the CSV has the same figures.":
        "Los informes necesitan JavaScript; el CSV tiene las mismas cifras.",
    # Site settings
    "Is it live? The install check": "¿Funciona? La comprobación de la instalación",
    "Identity secret": "Secreto de identidad",
    "Your server signs your signed-in users' ids with it, so agents know who they are "
    "(README: identity verification). Keep it on your server; never put it in a page.":
        "Tu servidor firma con él los id de tus usuarios con sesión iniciada, para que los "
        "agentes sepan quiénes son (README: identity verification). Guárdalo en tu "
        "servidor; nunca lo pongas en una página.",
    "Rotate": "Renovar",
    "Delete this site": "Eliminar este sitio",
    "Its conversations, visitors and files go with it, for good.":
        "Sus conversaciones, visitantes y archivos se eliminan con él, para siempre.",
    "Type “%(name)s” to confirm": "Escribe «%(name)s» para confirmar",
    "Delete the site": "Eliminar el sitio",
    # Team page
    "%(name)s team": "Equipo de %(name)s",
    "Members": "Miembros",
    "Owners can do everything, including deleting the site. Admins change settings and the "
    "team. Agents answer chats. Chats at once: how many chats routing gives each at the "
    "same time.":
        "Los propietarios pueden hacerlo todo, incluso eliminar el sitio. Los "
        "administradores cambian la configuración y el equipo. Los agentes responden chats. "
        "Chats a la vez: cuántos chats le asigna el reparto a cada uno al mismo tiempo.",
    "you": "tú",
    "%(n)s chat at once": ("%(n)s chat a la vez", "%(n)s chats a la vez"),
    "Leave the site": "Salir del sitio",
    "Remove": "Quitar",
    "Invite someone": "Invitar a alguien",
    "They get an e-mail with a link to choose their password, then they are in.":
        "Recibe un correo con un enlace para elegir su contraseña, y listo.",
    "This server sends no e-mail: you get a link to send them yourself.":
        "Este servidor no envía correos: recibes un enlace para enviárselo tú.",
    "Invite": "Invitar",
    "Invitations waiting": "Invitaciones pendientes",
    "sent %(when)s": "enviada %(when)s",
    "Send again": "Enviar de nuevo",
    "New link": "Enlace nuevo",
    "Revoke": "Revocar",
    "Copy the link": "Copiar el enlace",
    "Hand the site over": "Traspasar el sitio",
    "The member you choose becomes an owner; you become an admin.":
        "El miembro que elijas pasa a ser propietario; tú pasas a ser administrador.",
    "New owner": "Nuevo propietario",
    "Hand over": "Traspasar",
    "just now": "justo ahora",
    "%(time)s ago": "hace %(time)s",
    "A new identity secret: put it on your server now. Visitors identified with the old one "
    "are refused.":
        "Un nuevo secreto de identidad: ponlo ya en tu servidor. Los visitantes "
        "identificados con el anterior se rechazan.",
    "Type the site's name exactly to delete it.":
        "Escribe el nombre del sitio exactamente para eliminarlo.",
    "%(name)s was deleted.": "%(name)s se eliminó.",
    # Mail to people added or invited to a site
    "You can now answer chats for %(site)s": "Ya puedes responder chats de %(site)s",
    "You were added to %(site)s on Papo. Its chats are in your console:":
        "Te añadieron a %(site)s en Papo. Sus chats están en tu consola:",
    "Open the console": "Abrir la consola",
    "Papo sends this because an owner or admin of %(site)s added this address.":
        "Papo envía esto porque un propietario o administrador de %(site)s añadió esta "
        "dirección.",
    "You are invited to answer chats for %(site)s": "Te invitaron a responder chats de %(site)s",
    "%(who)s invited you to %(site)s on Papo, as %(role)s.":
        "%(who)s te invitó a %(site)s en Papo, como %(role)s.",
    "You are invited to %(site)s on Papo, as %(role)s.":
        "Te invitaron a %(site)s en Papo, como %(role)s.",
    "Choose your password": "Elige tu contraseña",
    "If you did not expect this, ignore it: nothing happens without the link.":
        "Si no lo esperabas, ignóralo: nada ocurre sin el enlace.",
    "Papo sends this because an owner or admin of %(site)s invited this address.":
        "Papo envía esto porque un propietario o administrador de %(site)s invitó esta "
        "dirección.",
    "Choose your password here, then you are in the console:":
        "Elige tu contraseña aquí y entrarás en la consola:",
}
for _msgid, _value in ES.items():
    TABLE.setdefault(_msgid, {})["es"] = _value


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
